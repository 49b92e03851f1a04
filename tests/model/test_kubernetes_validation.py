"""The API server's validation of the objects the twin reads (`twin/model/kube_io/validation.py`):
each case is an object the API server refuses, the upstream function that refuses it, and
the one-line error the twin gives (`FILE: FIELD.PATH: expected ..., got ...`). Objects it
accepts still load (the last tables), and so does the real must-gather data
(tests/importing, tests/cli/data)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from twin.errors import InputError
from twin.model.kube_io import validation as v
from twin.model.kube_io.files import Located, to_domain
from twin.model.kube_io.load import load_nodes
from twin.model.registry import parse_registry_config

NODE = {"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "worker-a-0", "labels": {"topology.kubernetes.io/zone": "us-east-1a"}},
        "spec": {"taints": [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}]},
        "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "250"}}}
POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web-1", "namespace": "apps", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "web", "image": "quay.io/x:1",
                                "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}}],
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}],
                "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                               "whenUnsatisfiable": "DoNotSchedule",
                                               "labelSelector": {"matchLabels": {"app": "web"}}}]}}
OBJECTS = {
    "Service": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "apps"},
                "spec": {"selector": {"app": "web"}}},
    "Deployment": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"},
                   "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}}},
    "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}},
    "PersistentVolumeClaim": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                              "metadata": {"name": "data", "namespace": "apps"},
                              "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3-csi",
                                       "resources": {"requests": {"storage": "10Gi"}}}},
    "PersistentVolume": {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-1"},
                         "spec": {"capacity": {"storage": "10Gi"}, "csi": {"driver": "ebs.csi.aws.com",
                                                                            "volumeHandle": "vol-1"},
                                  "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                                      {"key": "topology.kubernetes.io/zone", "operator": "In",
                                       "values": ["us-east-1a"]}]}]}}}},
    "StorageClass": {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "gp3-csi"},
                     "provisioner": "ebs.csi.aws.com",
                     "allowedTopologies": [{"matchLabelExpressions": [
                         {"key": "topology.kubernetes.io/zone", "values": ["us-east-1a", "us-east-1b"]}]}]},
    "CSINode": {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": "worker-a-0"},
                "spec": {"drivers": [{"name": "ebs.csi.aws.com", "allocatable": {"count": 25}}]}},
}
TEMPLATES = {"Node": NODE, "Pod": POD, **OBJECTS}
NODE_AFFINITY = ("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                 "nodeSelectorTerms", 0, "matchExpressions")


@dataclass(frozen=True)
class Case:
    """`name` says what is wrong; `upstream` the function that refuses it; `changes` are
    (path, value) pairs set on a copy of the kind's template (value `DELETE` removes)."""

    name: str
    kind: str
    changes: tuple[tuple[tuple[Any, ...], Any], ...]
    path: str
    message: str
    upstream: str
    exact: bool = False
    extra: dict = field(default_factory=dict)


DELETE = object()


def node_requirement(requirement: dict) -> tuple:
    return ((("spec", "affinity"), {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [requirement]}]}}}),)


def spread(**fields) -> tuple:
    constraint = {**POD["spec"]["topologySpreadConstraints"][0], **fields}
    return ((("spec", "topologySpreadConstraints"), [constraint]),)


QUALIFIED = "expected a qualified name such as app or example.com/app"
LABEL_KEY = "expected a label key such as app or example.com/app"
NAF = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"

CASES = [
    # apiVersion/kind pairs
    Case("a Node with apiVersion apps/v1 is refused", "Node", ((("apiVersion",), "apps/v1"),),
         "apiVersion", "expected v1 for a Node, got 'apps/v1'", "apiserver: no Node kind in apps/v1", exact=True),
    Case("a Deployment with apiVersion v1 is refused", "Deployment", ((("apiVersion",), "v1"),),
         "apiVersion", "expected apps/v1 for a Deployment, got 'v1'", "apiserver: Deployments are served in apps/v1",
         exact=True),
    Case("a StorageClass in storage.k8s.io/v1beta1 is refused", "StorageClass",
         ((("apiVersion",), "storage.k8s.io/v1beta1"),), "apiVersion",
         "expected storage.k8s.io/v1 for a StorageClass, got 'storage.k8s.io/v1beta1'",
         "apiserver: storage.k8s.io/v1beta1 StorageClass removed in 1.22", exact=True),
    # names
    Case("a node name with upper case and an underscore is refused", "Node", ((("metadata", "name"), "Worker_1"),),
         "metadata.name", "expected a DNS subdomain name such as my-name or example.com", "ValidateNodeName"),
    Case("a node name longer than 253 characters is refused", "Node", ((("metadata", "name"), "a" * 254),),
         "metadata.name", "must be no more than 253 bytes", "IsDNS1123Subdomain"),
    Case("a pod name ending with a dash is refused", "Pod", ((("metadata", "name"), "web-"),),
         "metadata.name", "expected a DNS subdomain name", "ValidatePodName (NameIsDNSSubdomain)"),
    Case("a namespace with a dot is refused", "Pod", ((("metadata", "namespace"), "my.apps"),),
         "metadata.namespace", "must not contain dots", "ValidateNamespaceName (IsDNS1123Label)"),
    Case("a Service name starting with a digit is refused", "Service", ((("metadata", "name"), "1web"),),
         "metadata.name", "expected a DNS-1035 label name", "ValidateServiceName (NameIsDNS1035Label)"),
    Case("a Namespace named like a subdomain is refused", "Namespace", ((("metadata", "name"), "team.apps"),),
         "metadata.name", "expected a DNS label name", "ValidateNamespaceName"),
    Case("spec.nodeName that is no node name is refused", "Pod", ((("spec", "nodeName"), "Node 1"),),
         "spec.nodeName", "expected a DNS subdomain name", "ValidatePodSpec: ValidateNodeName"),
    Case("a container name with upper case is refused", "Pod", ((("spec", "containers", 0, "name"), "Web"),),
         "spec.containers[0].name", "expected a DNS label name", "validateContainers: ValidateDNS1123Label"),
    Case("two containers with one name are refused", "Pod",
         ((("spec", "initContainers"), [{"name": "web", "image": "x"}]),),
         "spec.initContainers[0].name", "expected container names unique in the pod, got a second 'web'",
         "validateInitContainers: names unique with the regular containers", exact=True),
    Case("a pod without containers is refused", "Pod", ((("spec", "containers"), []),),
         "spec.containers", "expected at least one container, got none", "validateContainers: Required", exact=True),
    # labels and annotations
    Case("a label key with a space and a bang is refused", "Node",
         ((("metadata", "labels", "bad key!"), "x"),), "metadata.labels['bad key!']",
         f"{LABEL_KEY} (name part must consist of alphanumeric characters", "ValidateLabels: IsQualifiedName"),
    Case("a label key with two slashes is refused", "Node", ((("metadata", "labels", "a/b/c"), "x"),),
         "metadata.labels['a/b/c']", "at most one '/'", "IsQualifiedName"),
    Case("a label key with an empty prefix is refused", "Node", ((("metadata", "labels", "/zone"), "x"),),
         "metadata.labels['/zone']", "prefix part must be non-empty", "IsQualifiedName"),
    Case("a label key whose name part is 64 characters is refused", "Node",
         ((("metadata", "labels", "k" * 64), "x"),), "metadata.labels.k" + "k" * 63,
         "name part must be no more than 63 bytes", "IsQualifiedName"),
    Case("a label value with a space is refused", "Node", ((("metadata", "labels", "tier"), "front end"),),
         "metadata.labels.tier", "expected a label value", "ValidateLabels: IsValidLabelValue"),
    Case("a label value of 64 characters is refused", "Node", ((("metadata", "labels", "tier"), "v" * 64),),
         "metadata.labels.tier", "must be no more than 63 bytes", "IsValidLabelValue"),
    Case("a nodeSelector with a bad key is refused", "Pod", ((("spec", "nodeSelector"), {"-zone": "a"}),),
         "spec.nodeSelector['-zone']", LABEL_KEY, "ValidatePodSpec: ValidateLabels(spec.NodeSelector)"),
    Case("a Service selector with a bad value is refused", "Service", ((("spec", "selector"), {"app": "web app"}),),
         "spec.selector.app", "expected a label value", "ValidateService: ValidateLabels(spec.Selector)"),
    Case("an annotation key that is not a qualified name is refused", "Node",
         ((("metadata", "annotations"), {"not a key": "x"}),), "metadata.annotations['not a key']",
         "expected an annotation key", "ValidateAnnotations: IsQualifiedName(lower case)"),
    Case("annotations above 256 KiB in all are refused", "Node",
         ((("metadata", "annotations"), {"a": "x" * (256 * 1024)}),), "metadata.annotations",
         "expected annotations of at most 262144 bytes in all (256 KiB, keys and values), got 262145 bytes",
         "ValidateAnnotations: TotalAnnotationSizeLimitB", exact=True),
    Case("two controller owners are refused", "Pod",
         ((("metadata", "ownerReferences"), [{"kind": "ReplicaSet", "name": "a", "controller": True},
                                             {"kind": "ReplicaSet", "name": "b", "controller": True}]),),
         "metadata.ownerReferences[1].controller", "expected only one owner with controller: true",
         "ValidateOwnerReferences"),
    # taints
    Case("a taint with an empty key is refused", "Node", ((("spec", "taints", 0, "key"), ""),),
         "spec.taints[0].key", f"{QUALIFIED} (name part must be non-empty), got ''",
         "validateNodeTaints: ValidateLabelName", exact=True),
    Case("a taint value with a slash is refused", "Node", ((("spec", "taints", 0, "value"), "a/b"),),
         "spec.taints[0].value", "expected a label value", "validateNodeTaints: IsValidLabelValue"),
    Case("two taints with one key and effect are refused", "Node",
         ((("spec", "taints", 1), {"key": "dedicated", "value": "other", "effect": "NoSchedule"}),),
         "spec.taints[1]", "expected taints unique by key and effect, got a second dedicated:NoSchedule "
                           "(the first is [0])", "validateNodeTaints: unique by key and effect", exact=True),
    Case("a taint without an effect is refused", "Node", ((("spec", "taints", 0, "effect"), DELETE),),
         "spec.taints[0].effect", "required field is missing", "validateTaintEffect: Required", exact=True),
    # tolerations
    Case("a toleration with an empty key and operator Equal is refused", "Pod",
         ((("spec", "tolerations"), [{"operator": "Equal", "value": "x"}]),), "spec.tolerations[0].operator",
         "expected Exists when key is empty", "ValidateTolerations: operator must be Exists when key is empty"),
    Case("a toleration with Exists and a value is refused", "Pod",
         ((("spec", "tolerations"), [{"key": "k", "operator": "Exists", "value": "v"}]),),
         "spec.tolerations[0].value", "expected no value when operator is Exists, got 'v'",
         "ValidateTolerations: value must be empty when operator is Exists", exact=True),
    Case("tolerationSeconds without NoExecute is refused", "Pod",
         ((("spec", "tolerations"), [{"key": "k", "operator": "Exists", "effect": "NoSchedule",
                                      "tolerationSeconds": 30}]),),
         "spec.tolerations[0].effect", "expected NoExecute when tolerationSeconds is set, got 'NoSchedule'",
         "ValidateTolerations: effect must be NoExecute when tolerationSeconds is set", exact=True),
    Case("a toleration key that is not a qualified name is refused", "Pod",
         ((("spec", "tolerations"), [{"key": "a b", "operator": "Exists"}]),), "spec.tolerations[0].key",
         QUALIFIED, "ValidateTolerations: ValidateLabelName"),
    # node selectors and affinity
    Case("node affinity In without values is refused", "Pod",
         node_requirement({"key": "topology.kubernetes.io/zone", "operator": "In"}),
         f"{NAF}.matchExpressions[0].values", "expected at least one value when operator is In, got none",
         "ValidateNodeSelectorRequirement", exact=True),
    Case("node affinity DoesNotExist with values is refused", "Pod",
         node_requirement({"key": "gpu", "operator": "DoesNotExist", "values": ["a"]}),
         f"{NAF}.matchExpressions[0].values", "expected no values when operator is DoesNotExist, got ['a']",
         "ValidateNodeSelectorRequirement", exact=True),
    Case("node affinity Gt with two values is refused", "Pod",
         node_requirement({"key": "cpus", "operator": "Gt", "values": ["4", "8"]}),
         f"{NAF}.matchExpressions[0].values", "expected exactly one value when operator is Gt, got ['4', '8']",
         "ValidateNodeSelectorRequirement: single value for Lt or Gt", exact=True),
    Case("node affinity Lt with a value that is not an integer is refused", "Pod",
         node_requirement({"key": "cpus", "operator": "Lt", "values": ["4.5"]}),
         f"{NAF}.matchExpressions[0].values[0]",
         "expected a whole number (a 64-bit integer) when operator is Lt, got '4.5'",
         "labels.NewRequirement: for 'Gt', 'Lt' operators, the value must be an integer", exact=True),
    Case("node affinity Gt beyond 64 bits is refused", "Pod",
         node_requirement({"key": "cpus", "operator": "Gt", "values": ["9223372036854775808"]}),
         f"{NAF}.matchExpressions[0].values[0]", "64-bit integer", "labels.NewRequirement: strconv.ParseInt"),
    Case("node affinity Gt with a negative integer is refused, not being a label value", "Pod",
         node_requirement({"key": "cpus", "operator": "Gt", "values": ["-3"]}),
         f"{NAF}.matchExpressions[0].values[0]", "expected a label value",
         "ValidateNodeSelectorRequirement: IsValidLabelValue (allowInvalidLabelValueInRequiredNodeAffinity false)"),
    Case("node affinity with a bad key is refused", "Pod",
         node_requirement({"key": "zone!", "operator": "Exists"}), f"{NAF}.matchExpressions[0].key", LABEL_KEY,
         "ValidateNodeSelectorRequirement: ValidateLabelName"),
    Case("node affinity In with a bad value is refused", "Pod",
         node_requirement({"key": "zone", "operator": "In", "values": ["us east"]}),
         f"{NAF}.matchExpressions[0].values[0]", "expected a label value",
         "ValidateNodeSelectorRequirement: IsValidLabelValue"),
    Case("node affinity without terms is refused", "Pod",
         ((("spec", "affinity"), {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
             "nodeSelectorTerms": []}}}),),
         "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
         "expected at least one node selector term, got none", "ValidateNodeSelector", exact=True),
    Case("matchFields on a field other than metadata.name is refused", "Pod",
         ((("spec", "affinity"), {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
             "nodeSelectorTerms": [{"matchFields": [{"key": "spec.unschedulable", "operator": "In",
                                                     "values": ["x"]}]}]}}}),),
         f"{NAF}.matchFields[0].key", "expected metadata.name", "ValidateNodeFieldSelectorRequirement"),
    Case("a preferred node term with weight 0 is refused", "Pod",
         ((("spec", "affinity"), {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
             {"weight": 0, "preference": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}]}}),),
         "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
         "expected a weight from 1 to 100, got 0", "ValidatePreferredSchedulingTerms", exact=True),
    Case("a pod affinity term with an empty topologyKey is refused", "Pod",
         ((("spec", "affinity"), {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
             {"topologyKey": "", "labelSelector": {"matchLabels": {"app": "web"}}}]}}),),
         "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", QUALIFIED,
         "validatePodAffinityTerm: topologyKey Required and ValidateLabelName"),
    Case("a pod affinity term naming a bad namespace is refused", "Pod",
         ((("spec", "affinity"), {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
             {"topologyKey": "kubernetes.io/hostname", "namespaces": ["Apps"]}]}}),),
         "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespaces[0]",
         "expected a DNS label name", "validatePodAffinityTerm: ValidateNamespaceName"),
    Case("a weighted pod affinity term with weight 101 is refused", "Pod",
         ((("spec", "affinity"), {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
             {"weight": 101, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}]}}),),
         "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
         "expected a weight from 1 to 100, got 101", "validateWeightedPodAffinityTerms", exact=True),
    # label selectors
    Case("a label selector In without values is refused", "Deployment",
         ((("spec", "selector"), {"matchExpressions": [{"key": "app", "operator": "In", "values": []}]}),),
         "spec.selector.matchExpressions[0].values", "expected at least one value when operator is In, got none",
         "ValidateLabelSelectorRequirement", exact=True),
    Case("a label selector Exists with values is refused", "Pod",
         spread(labelSelector={"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["web"]}]}),
         "spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].values",
         "expected no values when operator is Exists, got ['web']", "ValidateLabelSelectorRequirement", exact=True),
    Case("a label selector Gt is refused", "Deployment",
         ((("spec", "selector"), {"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]}),),
         "spec.selector.matchExpressions[0].operator", "expected In, NotIn, Exists or DoesNotExist, got 'Gt'",
         "ValidateLabelSelectorRequirement: not a valid selector operator", exact=True),
    Case("matchLabels with a bad key is refused", "Deployment",
         ((("spec", "selector"), {"matchLabels": {"app name": "web"}}),), "spec.selector.matchLabels['app name']",
         LABEL_KEY, "ValidateLabelSelector: ValidateLabels"),
    # topology spread constraints
    Case("maxSkew 0 is refused", "Pod", spread(maxSkew=0), "spec.topologySpreadConstraints[0].maxSkew",
         "expected a maxSkew > 0, got 0", "ValidateMaxSkew", exact=True),
    Case("a negative maxSkew is refused", "Pod", spread(maxSkew=-1), "spec.topologySpreadConstraints[0].maxSkew",
         "expected a maxSkew > 0, got -1", "ValidateMaxSkew", exact=True),
    Case("an empty topologyKey is refused", "Pod", spread(topologyKey=""),
         "spec.topologySpreadConstraints[0].topologyKey", "expected a topology key", "ValidateTopologyKey"),
    Case("minDomains 0 is refused", "Pod", spread(minDomains=0), "spec.topologySpreadConstraints[0].minDomains",
         "expected a minDomains > 0, got 0", "validateMinDomains", exact=True),
    Case("minDomains with ScheduleAnyway is refused", "Pod", spread(minDomains=2, whenUnsatisfiable="ScheduleAnyway"),
         "spec.topologySpreadConstraints[0].minDomains",
         "expected minDomains only with whenUnsatisfiable: DoNotSchedule, got minDomains 2 with ScheduleAnyway",
         "validateMinDomains: can only use minDomains if whenUnsatisfiable=DoNotSchedule", exact=True),
    Case("an unknown nodeTaintsPolicy is refused", "Pod", spread(nodeTaintsPolicy="Respect"),
         "spec.topologySpreadConstraints[0].nodeTaintsPolicy", "expected Honor or Ignore, got 'Respect'",
         "validateNodeInclusionPolicy", exact=True),
    Case("matchLabelKeys without a labelSelector is refused", "Pod",
         spread(labelSelector=None, matchLabelKeys=["pod-template-hash"]),
         "spec.topologySpreadConstraints[0].matchLabelKeys",
         "expected matchLabelKeys only together with a labelSelector, got no labelSelector",
         "validateMatchLabelKeysInTopologySpread: must not be specified when labelSelector is not set", exact=True),
    Case("a matchLabelKeys key the labelSelector already has is refused", "Pod", spread(matchLabelKeys=["app"]),
         "spec.topologySpreadConstraints[0].matchLabelKeys[0]", "it is in both matchLabelKeys and labelSelector",
         "validateMatchLabelKeysInTopologySpread: exists in both matchLabelKeys and labelSelector"),
    Case("two constraints with one topologyKey and whenUnsatisfiable are refused", "Pod",
         ((("spec", "topologySpreadConstraints", 1), {**POD["spec"]["topologySpreadConstraints"][0], "maxSkew": 2}),),
         "spec.topologySpreadConstraints[1]", "expected one constraint per topologyKey and whenUnsatisfiable",
         "ValidateSpreadConstraintNotRepeat"),
    # quantities
    Case("a negative allocatable CPU is refused", "Node", ((("status", "allocatable", "cpu"), "-4"),),
         "status.allocatable.cpu",
         "expected a quantity that is not negative, got '-4' (Kubernetes refuses negative quantities)",
         "ValidateNode: ValidateResourceQuantityValue (ValidateNonnegativeQuantity)", exact=True),
    Case("a negative capacity is refused", "Node", ((("status", "capacity"), {"memory": "-1Gi"}),),
         "status.capacity.memory", "not negative", "ValidateNode: ValidateResourceQuantityValue"),
    Case("a fractional pods allocatable is refused", "Node", ((("status", "allocatable", "pods"), "110.5"),),
         "status.allocatable.pods", "expected a whole number of pods (Kubernetes counts pods in units), got '110.5'",
         "ValidateResourceQuantityValue: IsIntegerResourceName", exact=True),
    Case("a fractional extended resource is refused", "Node", ((("status", "allocatable", "nvidia.com/gpu"), "500m"),),
         "status.allocatable['nvidia.com/gpu']", "expected a whole number of nvidia.com/gpu",
         "ValidateResourceQuantityValue: IsExtendedResourceName"),
    Case("a negative container request is refused", "Pod",
         ((("spec", "containers", 0, "resources", "requests", "memory"), "-1Mi"),),
         "spec.containers[0].resources.requests.memory", "not negative", "ValidateResourceRequirements"),
    Case("a request above its limit is refused", "Pod",
         ((("spec", "containers", 0, "resources", "requests", "cpu"), "2"),),
         "spec.containers[0].resources.requests.cpu",
         "expected at most the limit ('1'), got '2' (Kubernetes refuses a request above its limit)",
         "ValidateResourceRequirements: must be less than or equal to cpu limit", exact=True),
    Case("a negative overhead is refused", "Pod", ((("spec", "overhead"), {"cpu": "-10m"}),), "spec.overhead.cpu",
         "not negative", "validateOverhead"),
    Case("a negative claim request is refused", "PersistentVolumeClaim",
         ((("spec", "resources", "requests", "storage"), "-1Gi"),), "spec.resources.requests.storage",
         "not negative", "ValidatePersistentVolumeClaimSpec"),
    Case("negative replicas are refused", "Deployment", ((("spec", "replicas"), -1),), "spec.replicas",
         "expected a number >= 0, got -1", "ValidateDeploymentSpec: ValidateNonnegativeField"),
    # storage
    Case("a storage class name with upper case in a claim is refused", "PersistentVolumeClaim",
         ((("spec", "storageClassName"), "GP3"),), "spec.storageClassName", "expected a DNS subdomain name",
         "ValidatePersistentVolumeClaimSpec: ValidateClassName"),
    Case("a volume nodeAffinity without required is refused", "PersistentVolume",
         ((("spec", "nodeAffinity"), {}),), "spec.nodeAffinity.required", "expected required node constraints",
         "validateVolumeNodeAffinity: must specify required node constraints"),
    Case("a provisioner that is not a qualified name is refused", "StorageClass",
         ((("provisioner",), "ebs csi"),), "provisioner", "expected a provisioner name",
         "validateProvisioner: IsQualifiedName(lower case)"),
    Case("a topology term value given twice is refused", "StorageClass",
         ((("allowedTopologies", 0, "matchLabelExpressions", 0, "values"), ["us-east-1a", "us-east-1a"]),),
         "allowedTopologies[0].matchLabelExpressions[0].values[1]", "expected each value once",
         "validateTopologySelectorLabelRequirement: Duplicate"),
    Case("a topology term without values is refused", "StorageClass",
         ((("allowedTopologies", 0, "matchLabelExpressions", 0, "values"), []),),
         "allowedTopologies[0].matchLabelExpressions[0].values", "expected at least one value",
         "validateTopologySelectorLabelRequirement: Required"),
    Case("a CSI driver name with a space is refused", "CSINode",
         ((("spec", "drivers", 0, "name"), "ebs csi"),), "spec.drivers[0].name", "expected a CSI driver name",
         "ValidateCSINode: validateCSIDriverName"),
    Case("a CSI driver listed twice is refused", "CSINode",
         ((("spec", "drivers", 1), {"name": "ebs.csi.aws.com"}),), "spec.drivers[1].name",
         "expected each driver once", "ValidateCSINode: driver names unique"),
]


def manifest(kind: str, changes) -> dict:
    body = copy.deepcopy(TEMPLATES[kind])
    for path, value in changes:
        target = body
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        elif isinstance(target, list) and path[-1] == len(target):
            target.append(value)
        else:
            target[path[-1]] = value
    return body


def load(body: dict, kind: str):
    return to_domain(Located("objects.yaml", "", body), (kind,))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_api_servers_validation_refuses_it_naming_the_field(case):
    with pytest.raises(InputError) as caught:
        load(manifest(case.kind, case.changes), case.kind)
    error = caught.value
    assert (error.source, error.path) == ("objects.yaml", case.path), (case.upstream, str(error))
    if case.exact:
        assert error.message == case.message, case.upstream
    else:
        assert case.message in error.message, (case.upstream, error.message)
    assert "\n" not in str(error)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_a_valid_object_of_each_kind_loads(kind):
    load(manifest(kind, ()), kind)


ACCEPTED = [
    ("a missing apiVersion is accepted (oc get always writes it; the kind is not ambiguous)", "Node",
     ((("apiVersion",), DELETE),)),
    ("a label with an empty value is accepted (node-role labels)", "Node",
     ((("metadata", "labels", "node-role.kubernetes.io/worker"), ""),)),
    ("an annotation key in upper case is accepted (compared in lower case)", "Node",
     ((("metadata", "annotations"), {"Example.com/Owner": "x"}),)),
    ("a toleration with an empty key and Exists is accepted (tolerates everything)", "Pod",
     ((("spec", "tolerations"), [{"operator": "Exists"}]),)),
    ("a toleration operator left empty is accepted as Equal", "Pod",
     ((("spec", "tolerations"), [{"key": "k", "operator": "", "value": "v"}]),)),
    ("node affinity Gt with one integer is accepted", "Pod",
     node_requirement({"key": "cpus", "operator": "Gt", "values": ["3"]})),
    ("a topologyKey that is not a qualified name is accepted in a spread constraint (upstream asks only for one)",
     "Pod", spread(topologyKey="zone key")),
    ("a zero allocatable is accepted", "Node", ((("status", "allocatable", "cpu"), "0"),)),
    ("an extended resource counted in units is accepted", "Node",
     ((("status", "allocatable", "devices.kubevirt.io/kvm"), "1k"),)),
    ("hugepages in bytes are accepted", "Node", ((("status", "allocatable", "hugepages-2Mi"), "0"),)),
    ("a request equal to its limit is accepted", "Pod",
     ((("spec", "containers", 0, "resources", "requests", "cpu"), "1"),)),
]


@pytest.mark.parametrize("name, kind, changes", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_what_the_api_server_accepts_still_loads(name, kind, changes):
    load(manifest(kind, changes), kind)


def test_a_config_toleration_with_an_empty_key_and_equal_is_refused_at_its_path():
    """The Config CRD takes corev1 tolerations unchecked; the operator copies them into the
    Deployment, which the API server refuses (ValidateTolerations)."""
    body = {"kind": "Config", "spec": {"replicas": 2, "storage": {"s3": {}},
                                        "tolerations": [{"operator": "Equal", "value": "x"}]}}
    with pytest.raises(InputError) as caught:
        parse_registry_config(body, "config.yaml")
    assert caught.value.path == "spec.tolerations[0].operator"


def test_a_config_node_selector_with_a_bad_key_is_refused():
    body = {"kind": "Config", "spec": {"replicas": 2, "storage": {"s3": {}}, "nodeSelector": {"role!": "infra"}}}
    with pytest.raises(InputError) as caught:
        parse_registry_config(body, "config.yaml")
    assert caught.value.path == "spec.nodeSelector['role!']"


def test_a_config_with_another_api_group_is_refused():
    body = {"apiVersion": "config.openshift.io/v1", "kind": "Config", "spec": {"replicas": 2}}
    with pytest.raises(InputError) as caught:
        parse_registry_config(body, "config.yaml")
    assert caught.value.path == "apiVersion"


@pytest.mark.parametrize("text", ["", "null\n", "---\n...\n", '{"apiVersion": "v1", "kind": "NodeList", "items": []}'],
                         ids=["an empty file", "null", "an empty YAML stream", "an empty NodeList"])
def test_a_nodes_file_without_nodes_is_refused(tmp_path, text):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(text)
    with pytest.raises(InputError) as caught:
        load_nodes(nodes)
    assert str(caught.value) == f"{nodes}: expected at least one Node, found none"


def test_the_item_of_a_list_is_named_in_the_path(tmp_path):
    items = [manifest("Node", ((("metadata", "name"), f"n{i}"),)) for i in range(4)]
    items[3]["spec"]["taints"][0]["key"] = ""
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps({"apiVersion": "v1", "kind": "NodeList", "items": items}))
    with pytest.raises(InputError) as caught:
        load_nodes(nodes)
    assert str(caught.value).startswith(f"{nodes}: items[3].spec.taints[0].key: expected a qualified name")


# The string formats against upstream's own test vectors
# (k8s.io/apimachinery/pkg/util/validation/validation_test.go, content/kube_test.go).

GOOD_QUALIFIED = ["simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple", "now-with-dashes/simple",
                  "now-with-dashes/now-with-dashes", "now.with.dots/simple", "now-with.dashes-and.dots/simple",
                  "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678", "Uppercase_Is_OK_123", "example.com/Uppercase_Is_OK_123",
                  "requests.storage-foo", "a" * 63, "a" * 253 + "/" + "b" * 63]
BAD_QUALIFIED = ["nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-", "only/one/slash", "Example.com/abc",
                 "example_com/abc", "example.com/", "/simple", "a" * 64, "a" * 254 + "/abc", ""]


@pytest.mark.parametrize("value", GOOD_QUALIFIED)
def test_upstream_good_qualified_names_are_qualified_names(value):
    assert v.qualified_name_problem(value) is None


@pytest.mark.parametrize("value", BAD_QUALIFIED)
def test_upstream_bad_qualified_names_are_not(value):
    assert v.qualified_name_problem(value) is not None


@pytest.mark.parametrize("value", ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234",
                                   "a" * 63, "", "Uppercase_Is_OK_123", "now.with.dots"])
def test_upstream_good_label_values_are_label_values(value):
    assert v.label_value_problem(value) is None


@pytest.mark.parametrize("value", ["nospecialchars%^=@", "Tama-nui-te-rā.is.Māori.sun", "\\backslashes\\are\\bad",
                                   "-starts-with-dash", "ends-with-dash-", ".starts.with.dot", "ends.with.dot.",
                                   "a" * 64, "trailing\n"])
def test_upstream_bad_label_values_are_not(value):
    assert v.label_value_problem(value) is not None


@pytest.mark.parametrize("value, subdomain, label, dns1035", [
    ("a", True, True, True), ("ab", True, True, True), ("a-b", True, True, True), ("0", True, True, False),
    ("a.b", True, False, False), ("A", False, False, False), ("a_b", False, False, False), ("a-", False, False, False),
    ("-a", False, False, False), ("a..b", False, False, False), ("a" * 63, True, True, True),
    ("a" * 64, True, False, False), ("a" * 253, True, False, False), ("a" * 254, False, False, False), (".".join(["a" * 63] * 4)[:253], True, False, False),
])
def test_dns_names_follow_rfc_1123_and_1035(value, subdomain, label, dns1035):
    assert (v.dns1123_subdomain_problem(value) is None, v.dns1123_label_problem(value) is None,
            v.dns1035_label_problem(value) is None) == (subdomain, label, dns1035)


@pytest.mark.parametrize("value, ok", [("0", True), ("-12", True), ("+7", True), ("9223372036854775807", True),
                                       ("-9223372036854775808", True), ("9223372036854775808", False), ("1.0", False),
                                       ("1e3", False), (" 1", False), ("1_000", False), ("", False), ("0x10", False)])
def test_gt_and_lt_values_parse_as_go_parses_an_int64(value, ok):
    assert v.is_int64(value) is ok
