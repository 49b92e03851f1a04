"""Reading the registry Config (spec/registry-operator.md §1.1, §2.1)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin.errors import InputError
from twin.model.registry.config import (
    RegistryConfig,
    RequestLimits,
    Storage,
    default_rosa_config,
    load_registry_config,
    parse_registry_config,
)
from twin.model.registry.duration import format_go_duration, parse_go_duration

OC_GET_YAML = """\
apiVersion: imageregistry.operator.openshift.io/v1
kind: Config
metadata:
  name: cluster
  finalizers: [imageregistry.operator.openshift.io/finalizer]
spec:
  managementState: Managed
  logLevel: Normal
  operatorLogLevel: Normal
  replicas: 3
  rolloutStrategy: RollingUpdate
  httpSecret: abc123
  defaultRoute: true
  routes:
  - name: public
    hostname: registry.example.com
    secretName: public-tls
  requests:
    read: {maxRunning: 10, maxInQueue: 20, maxWaitInQueue: 1m30s}
    write: {maxRunning: 2}
  storage:
    managementState: Managed
    s3: {bucket: my-bucket, region: us-east-1}
  proxy: {http: "http://proxy:3128", noProxy: ".cluster.local"}
status:
  readyReplicas: 3
"""


def config_body(**spec) -> dict:
    return {
        "apiVersion": "imageregistry.operator.openshift.io/v1", "kind": "Config",
        "metadata": {"name": "cluster"}, "spec": {"replicas": 2, "storage": {"s3": {}}, **spec},
    }


def parse(**spec) -> RegistryConfig:
    return parse_registry_config(config_body(**spec), "config.yaml")


def write(tmp_path, text: str, name: str = "config.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---- loading what `oc get -o yaml|json` prints --------------------------------------


def test_a_config_as_oc_get_prints_it_loads_with_every_modelled_field(tmp_path):
    config = load_registry_config(write(tmp_path, OC_GET_YAML))
    assert (config.replicas, config.management_state, config.rollout_strategy) == (3, "Managed", "RollingUpdate")
    assert (config.log_level, config.http_secret, config.default_route) == ("Normal", "abc123", True)
    assert [(r.name, r.hostname, r.secret_name) for r in config.routes] == [
        ("public", "registry.example.com", "public-tls")
    ]
    assert config.read == RequestLimits(10, 20, 90_000_000_000)
    assert config.write == RequestLimits(2, 0, 0)
    assert config.storage == Storage(("s3",), "Managed", None, supplied=True)  # its bucket is named
    assert (config.proxy.http, config.proxy.https, config.proxy.no_proxy) == ("http://proxy:3128", "", ".cluster.local")


def test_a_config_in_json_loads_like_the_yaml(tmp_path):
    body = config_body(replicas=1, rolloutStrategy="Recreate")
    config = load_registry_config(write(tmp_path, json.dumps(body), "config.json"))
    assert (config.replicas, config.rollout_strategy) == (1, "Recreate")


def test_a_config_wrapped_in_a_list_loads_its_single_item(tmp_path):
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [config_body(replicas=4)]})
    assert load_registry_config(write(tmp_path, text)).replicas == 4


def test_unset_fields_take_the_api_defaults():
    config = parse_registry_config({"kind": "Config", "spec": {"replicas": 1}})
    assert config == RegistryConfig(replicas=1)
    assert (config.management_state, config.log_level, config.rollout_strategy) == ("Managed", "Normal", "")
    assert config.read == config.write == RequestLimits(0, 0, 0)
    assert config.storage.backends == ()


# ---- nil versus empty ------------------------------------------------------------------


def test_an_absent_node_selector_stays_none_and_an_empty_one_stays_empty():
    assert parse().node_selector is None
    assert parse(nodeSelector={}).node_selector == {}
    assert parse(nodeSelector={"node-role.kubernetes.io/infra": ""}).node_selector == {"node-role.kubernetes.io/infra": ""}


def test_absent_spread_constraints_stay_none_and_an_empty_list_stays_an_empty_tuple():
    assert parse().topology_spread_constraints is None
    assert parse(topologySpreadConstraints=[]).topology_spread_constraints == ()


def test_user_spread_constraints_are_kept_as_written():
    tsc = {"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
           "labelSelector": {"matchLabels": {"docker-registry": "default"}}}
    assert parse(topologySpreadConstraints=[tsc]).topology_spread_constraints == (tsc,)


def test_affinity_is_none_when_absent_and_kept_raw_when_present_even_if_empty():
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "node-role.kubernetes.io/infra", "operator": "Exists"}]}]}}}
    assert parse().affinity is None
    assert parse(affinity={}).affinity == {}
    assert parse(affinity=affinity).affinity == affinity


def test_resources_are_none_when_absent_and_kept_raw_when_present():
    resources = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}
    assert parse().resources is None
    assert parse(resources=resources).resources == resources


def test_tolerations_are_kept_raw_in_order():
    tolerations = [{"key": "infra", "operator": "Exists", "effect": "NoSchedule"}, {"key": "b", "value": "x"}]
    assert parse(tolerations=tolerations).tolerations == tuple(tolerations)


def test_the_config_does_not_share_mutable_data_with_the_input():
    body = config_body(affinity={"podAntiAffinity": {}})
    config = parse_registry_config(body)
    body["spec"]["affinity"]["podAntiAffinity"]["x"] = 1
    assert config.affinity == {"podAntiAffinity": {}}


# ---- storage -----------------------------------------------------------------------------


@pytest.mark.parametrize("storage, backends", [
    ({}, ()),
    ({"s3": {}}, ("s3",)),
    ({"emptyDir": {}}, ("emptyDir",)),
    ({"s3": None}, ()),
    ({"pvc": {"claim": "x"}, "s3": {}}, ("s3", "pvc")),
    ({"gcs": {}, "swift": {}, "azure": {}, "ibmcos": {}, "oss": {}}, ("gcs", "swift", "azure", "ibmcos", "oss")),
])
def test_every_backend_that_is_set_is_listed_in_api_field_order(storage, backends):
    assert parse(storage=storage).storage.backends == backends


def test_a_pvc_without_a_claim_name_uses_the_operator_default_claim():
    storage = parse(storage={"pvc": {}}).storage
    assert (storage.pvc_claim, storage.claim_name) == ("", "image-registry-storage")


def test_a_named_pvc_claim_is_used_as_is():
    assert parse(storage={"pvc": {"claim": "mine"}}).storage.claim_name == "mine"


def test_without_a_pvc_there_is_no_claim():
    assert parse().storage.claim_name is None


# ---- Go durations ------------------------------------------------------------------------

DURATIONS = [
    # text, nanoseconds, Go Duration.String()
    ("0", 0, "0s"),
    ("0s", 0, "0s"),
    ("1s", 10**9, "1s"),
    ("500ms", 5 * 10**8, "500ms"),
    ("0.5s", 5 * 10**8, "500ms"),
    ("90s", 90 * 10**9, "1m30s"),
    ("1m30s", 90 * 10**9, "1m30s"),
    ("1.5m", 90 * 10**9, "1m30s"),
    ("1h", 3600 * 10**9, "1h0m0s"),
    ("2h45m", 9900 * 10**9, "2h45m0s"),
    ("1.5ms", 1_500_000, "1.5ms"),
    ("300us", 300_000, "300\u00b5s"),
    ("300\u00b5s", 300_000, "300\u00b5s"),
    ("42ns", 42, "42ns"),
    ("1.000000001s", 1_000_000_001, "1.000000001s"),
    ("-2s", -2 * 10**9, "-2s"),
]


@pytest.mark.parametrize("text, ns, go_string", DURATIONS)
def test_go_durations_parse_to_nanoseconds_and_render_as_go_prints_them(text, ns, go_string):
    assert parse_go_duration(text) == ns
    assert format_go_duration(ns) == go_string


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_every_go_duration_string_parses_back_to_the_same_nanoseconds(ns):
    assert parse_go_duration(format_go_duration(ns)) == ns


@pytest.mark.parametrize("text", ["", "1", "s", ".s", "1x", "1m 30s", "00", "--1s", "1msx"])
def test_text_that_go_cannot_parse_as_a_duration_is_rejected(text):
    with pytest.raises(ValueError, match="expected a Go duration such as 500ms, 1s or 1m30s"):
        parse_go_duration(text)


def test_max_wait_in_queue_is_kept_in_seconds_and_in_go_form():
    limits = parse(requests={"read": {"maxRunning": 1, "maxWaitInQueue": "1500ms"}}).read
    assert limits.max_wait_in_queue_seconds == 1.5
    assert limits.max_wait_in_queue == "1.5s"


def test_an_unset_max_wait_in_queue_renders_as_zero_seconds():
    assert parse(requests={"write": {"maxInQueue": 5}}).write.max_wait_in_queue == "0s"


# ---- errors name the file, the field path and the bad value ------------------------------

SPEC_ERRORS = [
    ({"rolloutStrategy": "Rolling"}, "spec.rolloutStrategy", "expected RollingUpdate or Recreate, got 'Rolling'"),
    ({"managementState": "managed"}, "spec.managementState",
     "expected Managed, Unmanaged, Force or Removed, got 'managed'"),
    ({"logLevel": "Verbose"}, "spec.logLevel", "expected Normal, Debug, Trace or TraceAll, got 'Verbose'"),
    ({"replicas": "2"}, "spec.replicas", "expected an integer, got '2'"),
    ({"replicas": True}, "spec.replicas", "expected an integer, got True"),
    ({"replicas": None}, "spec.replicas", "expected an integer, got None"),
    ({"readOnly": "yes"}, "spec.readOnly", "expected true or false, got 'yes'"),
    ({"nodeSelector": {"zone": 1}}, "spec.nodeSelector.zone", "expected a string, got 1"),
    ({"nodeSelector": ["a"]}, "spec.nodeSelector", "expected a mapping, got ['a']"),
    ({"requests": {"read": {"maxRunning": "10"}}}, "spec.requests.read.maxRunning", "expected an integer, got '10'"),
    ({"requests": {"write": {"maxWaitInQueue": "5 seconds"}}}, "spec.requests.write.maxWaitInQueue",
     "expected a Go duration such as 500ms, 1s or 1m30s, got '5 seconds'"),
    ({"requests": {"write": {"maxWaitInQueue": 5}}}, "spec.requests.write.maxWaitInQueue",
     "expected a Go duration such as 500ms, 1s or 1m30s, got 5"),
    ({"routes": [{"hostname": "h"}]}, "spec.routes[0].name", "required field is missing"),
    ({"storage": {"s3": "bucket"}}, "spec.storage.s3", "expected a mapping, got 'bucket'"),
    ({"storage": {"s3": {}, "managementState": "Auto"}}, "spec.storage.managementState",
     "expected Managed or Unmanaged, got 'Auto'"),
    ({"resources": {"requests": {"cpu": "lots"}}}, "spec.resources.requests.cpu",
     "expected a Kubernetes quantity such as 100m, 256Mi, 4 or 16Gi, got 'lots'"),
    ({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "k", "whenUnsatisfiable": "Never"}]},
     "spec.topologySpreadConstraints[0].whenUnsatisfiable", "expected DoNotSchedule or ScheduleAnyway, got 'Never'"),
    ({"proxy": {"http": 3128}}, "spec.proxy.http", "expected a string, got 3128"),
]


@pytest.mark.parametrize("spec, path, message", SPEC_ERRORS)
def test_a_bad_spec_field_is_reported_with_its_path_and_value(spec, path, message):
    with pytest.raises(InputError) as raised:
        parse(**spec)
    assert (raised.value.source, raised.value.path, raised.value.message) == ("config.yaml", path, message)


def test_a_missing_replicas_is_reported():
    body = config_body()
    del body["spec"]["replicas"]
    with pytest.raises(InputError, match=r"^config.yaml: spec.replicas: required field is missing$"):
        parse_registry_config(body, "config.yaml")


@pytest.mark.parametrize("field, value, path, message", [
    ("kind", "Deployment", "kind", "expected Config, got 'Deployment'"),
    ("apiVersion", "v1", "apiVersion", "expected imageregistry.operator.openshift.io/v1, got 'v1'"),
    ("metadata", {"name": "other"}, "metadata.name", "expected cluster, got 'other'"),
    ("spec", None, "spec", "expected a mapping, got None"),
])
def test_a_wrong_object_header_is_reported(field, value, path, message):
    body = {**config_body(), field: value}
    with pytest.raises(InputError) as raised:
        parse_registry_config(body, "config.yaml")
    assert (raised.value.path, raised.value.message) == (path, message)


def test_a_missing_kind_is_reported():
    body = config_body()
    del body["kind"]
    with pytest.raises(InputError, match=r"kind: required field is missing"):
        parse_registry_config(body, "config.yaml")


def test_malformed_yaml_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "kind: Config\nspec:\n  replicas: [2\n")
    with pytest.raises(InputError) as raised:
        load_registry_config(path)
    assert raised.value.source == str(path)
    assert raised.value.path.startswith("line ")
    assert raised.value.message.startswith("malformed YAML")


def test_an_error_inside_a_list_names_the_item(tmp_path):
    item = config_body(rolloutStrategy="Rolling")
    path = write(tmp_path, json.dumps({"kind": "List", "items": [item]}))
    with pytest.raises(InputError) as raised:
        load_registry_config(path)
    assert raised.value.path == "items[0].spec.rolloutStrategy"


def test_a_file_with_two_configs_is_rejected(tmp_path):
    text = "kind: Config\nspec: {replicas: 1}\n---\nkind: Config\nspec: {replicas: 2}\n"
    with pytest.raises(InputError, match="expected exactly one Config, found 2 objects"):
        load_registry_config(write(tmp_path, text))


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path):
    with pytest.raises(InputError, match="expected a Kubernetes object"):
        load_registry_config(write(tmp_path, "- 1\n- 2\n"))


def test_a_failed_load_leaves_the_input_unchanged():
    body = config_body(rolloutStrategy="Rolling")
    before = copy.deepcopy(body)
    with pytest.raises(InputError):
        parse_registry_config(body)
    assert body == before


# ---- the ROSA default -------------------------------------------------------------------


def test_the_rosa_default_is_the_aws_bootstrap_config():
    config = default_rosa_config()
    assert (config.replicas, config.management_state, config.rollout_strategy) == (2, "Managed", "RollingUpdate")
    assert config.storage.backends == ("s3",)
    assert config.storage.management_state == "Managed"
    assert (config.node_selector, config.topology_spread_constraints, config.affinity) == (None, None, None)
    assert config.log_level == "Normal"
