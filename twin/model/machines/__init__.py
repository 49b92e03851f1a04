"""ROSA machine pools and the machines behind them, as pure values and rules: the
replica rules `rosa` enforces, how a pool becomes one MachineSet per zone, and how long
a new machine takes to become a Ready node (`twin/sim/machines.py` moves the time)."""
