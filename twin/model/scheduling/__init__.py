"""kube-scheduler's scheduling cycle over a `ClusterView`: the framework, the default
profile and its plugins (one module per plugin under `plugins/`)."""

from twin.model.scheduling.config import SchedulerConfig
from twin.model.scheduling.framework import ScheduleResult, schedule_one
from twin.model.scheduling.scheduler import Scheduler

__all__ = ["SchedulerConfig", "ScheduleResult", "Scheduler", "schedule_one"]
