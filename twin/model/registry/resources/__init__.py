"""What registry requests share (issue: capacity physics): CPU and network links served
by egalitarian processor sharing (`sharing.py`), per-pod memory (`memory.py`), the
object store's request-rate ceilings and the storage driver's retries
(`objectstore.py`), and what a node offers (`nodes.py`). Pure: no SimPy, no clock of
their own; the data plane (`twin/sim/traffic/dataplane.py`) moves time through them."""
