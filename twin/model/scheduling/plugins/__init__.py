"""The default profile's plugins, one module each. Filter plugins expose
`filter(ctx) -> FilterOutcome | None` (None: PreFilter returned Skip, every node passes);
score plugins expose `score(ctx, candidates) -> normalised scores | None` (None: Skip)."""
