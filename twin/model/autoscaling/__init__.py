"""The cluster autoscaler's decisions (pure): node groups as the cloud provider shows them,
scale-up (which group, how many nodes), scale-down (which nodes are unneeded, which may
go). Its loop lives in `twin/sim/autoscaler.py`; the machine pools that implement the
node groups in `twin/sim/machines.py`."""
