"""Controllers as pure reconcilers: `reconcile(snapshot, now) -> Reconciled(actions,
requeue_after)`. The arithmetic lives in small named helpers with worked examples from
`spec/lifecycle.md`; the simulation shell (`twin/sim/`) applies the actions."""
