"""The image registry as the operator renders it: the Config CR, its verification, the
Deployment and PDB it produces, per OpenShift version (spec/registry-operator.md §1–§3, §7).

Everything here is pure: values in, values (manifests, problems) out.
"""

from twin.model.registry.config import (
    RegistryConfig,
    RequestLimits,
    Route,
    Storage,
    default_rosa_config,
    load_registry_config,
    parse_registry_config,
)
from twin.model.registry.duration import format_go_duration, parse_go_duration
from twin.model.registry.render import RenderedRegistry, pod_template_manifest, render_registry
from twin.model.registry.validate import ConfigProblem, validate
from twin.model.registry.versions import DEFAULT_VERSION, VERSIONS, OpenShiftVersion, openshift_version

__all__ = [
    "DEFAULT_VERSION", "VERSIONS", "ConfigProblem", "OpenShiftVersion", "RegistryConfig", "RenderedRegistry",
    "RequestLimits", "Route", "Storage", "default_rosa_config", "format_go_duration",
    "load_registry_config", "openshift_version", "parse_go_duration", "parse_registry_config",
    "pod_template_manifest", "render_registry", "validate",
]
