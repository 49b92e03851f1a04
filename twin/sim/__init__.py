"""The simulation shell: the only package that imports simpy. Processes wait, call the
pure core (`twin.model`) and apply what it returns; the store, the clock, the random
streams and the recorder live here."""
