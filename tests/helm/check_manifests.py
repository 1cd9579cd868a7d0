#!/usr/bin/python3
"""Checks rendered wsload chart manifests: Kubernetes schema (field names and types from the
python3-kubernetes models, plus their required fields) and the wiring between the objects.

Usage: check_manifests.py MANIFESTS.yaml [--external-secret NAME]...
Prints every problem found and exits 1, or prints a one-line summary and exits 0.
"""
import argparse
import difflib
import json
import re
import sys

import yaml

try:
    import kubernetes.client as k8s
except ImportError:  # the check must not pass silently without its schema source
    sys.exit("check_manifests.py: python3-kubernetes is missing (apt-get install python3-kubernetes)")

MODELS = {
    ("v1", "Secret"): "V1Secret",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Service"): "V1Service",
    ("apps/v1", "StatefulSet"): "V1StatefulSet",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("batch/v1", "Job"): "V1Job",
}
# prometheus-operator's monitoring.coreos.com/v1 objects have no python3-kubernetes model: the
# fields of their CRDs (v0.7x) that a chart may set, checked by name; selectors use the core models.
MONITOR_ENDPOINT_FIELDS = {
    "port", "targetPort", "path", "scheme", "params", "interval", "scrapeTimeout", "honorLabels",
    "honorTimestamps", "trackTimestampsStaleness", "relabelings", "metricRelabelings", "tlsConfig",
    "bearerTokenSecret", "authorization", "basicAuth", "oauth2", "followRedirects", "enableHttp2",
    "proxyUrl", "filterRunning"}
RELABEL_FIELDS = {"sourceLabels", "separator", "targetLabel", "regex", "modulus", "replacement", "action"}
MONITORS = {
    "ServiceMonitor": ("endpoints", {"endpoints", "selector", "namespaceSelector", "jobLabel",
                                     "targetLabels", "podTargetLabels", "sampleLimit", "targetLimit",
                                     "labelLimit", "attachMetadata"}),
    "PodMonitor": ("podMetricsEndpoints", {"podMetricsEndpoints", "selector", "namespaceSelector",
                                           "jobLabel", "podTargetLabels", "sampleLimit", "targetLimit",
                                           "labelLimit", "attachMetadata"}),
}
DURATION = re.compile(r"^(\d+(ms|s|m|h))+$")
IPV4_LISTEN = re.compile(r"^(\d{1,3}\.){3}\d{1,3}:(\d+)$")
PRIMITIVES = {"str", "int", "bool", "float", "object", "datetime", "date"}
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
AGENT_PORT = 7000


class Checker:
    def __init__(self, docs, external_secrets):
        self.docs = docs
        self.external_secrets = set(external_secrets)
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    # ---- schema -------------------------------------------------------------------------
    def check_type(self, value, type_name, path):
        if type_name.startswith("list["):
            if not isinstance(value, list):
                return self.error(path, f"expected a list ({type_name}), got {type(value).__name__}")
            for i, item in enumerate(value):
                self.check_type(item, type_name[5:-1], f"{path}[{i}]")
            return
        if type_name.startswith("dict("):
            if not isinstance(value, dict):
                return self.error(path, f"expected a map ({type_name}), got {type(value).__name__}")
            inner = type_name[5:-1].split(", ", 1)[1]
            for key, item in value.items():
                if not isinstance(key, str):
                    self.error(path, f"map key {key!r} is not a string")
                self.check_type(item, inner, f"{path}.{key}")
            return
        if type_name in PRIMITIVES:
            return self.check_primitive(value, type_name, path)
        model = getattr(k8s, type_name, None)
        if model is None:
            return self.error(path, f"no model {type_name} in python3-kubernetes")
        if not isinstance(value, dict):
            return self.error(path, f"expected an object ({type_name}), got {type(value).__name__}")
        fields = {json_name: model.openapi_types[attr] for attr, json_name in model.attribute_map.items()}
        for key, item in value.items():
            if key not in fields:
                hint = difflib.get_close_matches(key, list(fields), n=1)
                suggestion = f" (did you mean {hint[0]}?)" if hint else ""
                self.error(f"{path}.{key}", f"unknown field in {type_name}{suggestion}")
                continue
            if item is not None:
                self.check_type(item, fields[key], f"{path}.{key}")

    def check_primitive(self, value, type_name, path):
        quantity = re.search(r"\.resources\.(limits|requests)\.", path) is not None
        ok = {
            "str": isinstance(value, str) or (quantity and isinstance(value, (int, float))),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "object": True,
            "datetime": isinstance(value, str),
            "date": isinstance(value, str),
        }[type_name]
        if not ok:
            self.error(path, f"expected {type_name}, got {type(value).__name__} {value!r}")

    def check_monitor_schema(self, doc, where):
        kind = doc["kind"]
        endpoints_key, spec_fields = MONITORS[kind]
        self.check_type(doc.get("metadata"), "V1ObjectMeta", f"{kind}.metadata")
        for key in doc:
            if key not in ("apiVersion", "kind", "metadata", "spec"):
                self.error(f"{kind}.{key}", "unknown top-level field")
        spec = doc.get("spec")
        if not isinstance(spec, dict):
            return self.error(where, "spec is required")
        for key in spec:
            if key not in spec_fields:
                hint = difflib.get_close_matches(key, sorted(spec_fields), n=1)
                self.error(f"{kind}.spec.{key}", f"unknown field in {kind}Spec" +
                           (f" (did you mean {hint[0]}?)" if hint else ""))
        self.check_type(spec.get("selector"), "V1LabelSelector", f"{kind}.spec.selector")
        names = (spec.get("namespaceSelector") or {}).get("matchNames", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.error(f"{kind}.spec.namespaceSelector", "matchNames must be a list of strings")
        endpoints = spec.get(endpoints_key)
        if not isinstance(endpoints, list) or not endpoints:
            return self.error(where, f"spec.{endpoints_key} must be a non-empty list")
        for i, ep in enumerate(endpoints):
            path = f"{kind}.spec.{endpoints_key}[{i}]"
            if not isinstance(ep, dict):
                self.error(path, "expected an object")
                continue
            for key, value in ep.items():
                if key not in MONITOR_ENDPOINT_FIELDS:
                    hint = difflib.get_close_matches(key, sorted(MONITOR_ENDPOINT_FIELDS), n=1)
                    self.error(f"{path}.{key}", "unknown endpoint field" +
                               (f" (did you mean {hint[0]}?)" if hint else ""))
                elif key in ("interval", "scrapeTimeout") and not DURATION.match(str(value)):
                    self.error(f"{path}.{key}", f"{value!r} is not a Prometheus duration")
                elif key == "honorLabels" and not isinstance(value, bool):
                    self.error(f"{path}.{key}", f"expected bool, got {value!r}")
                elif key in ("relabelings", "metricRelabelings"):
                    for j, rule in enumerate(value if isinstance(value, list) else [None]):
                        if not isinstance(rule, dict) or set(rule) - RELABEL_FIELDS:
                            self.error(f"{path}.{key}[{j}]", f"not a relabel config: {rule!r}")

    def check_schema(self, doc, where):
        if doc.get("apiVersion") == "monitoring.coreos.com/v1" and doc.get("kind") in MONITORS:
            return self.check_monitor_schema(doc, where)
        model = MODELS.get((doc.get("apiVersion"), doc.get("kind")))
        if model is None:
            return self.error(where, f"unknown apiVersion/kind {doc.get('apiVersion')}/{doc.get('kind')}")
        self.check_type(doc, model, doc["kind"])
        try:  # the models' setters reject missing required fields and bad enum values
            k8s.ApiClient()._ApiClient__deserialize(doc, model)
        except (ValueError, TypeError) as e:
            self.error(where, f"invalid {model}: {e}")

    # ---- structure ----------------------------------------------------------------------
    def objects(self, kind):
        return [d for d in self.docs if d.get("kind") == kind]

    def named(self, kind, name):
        return next((d for d in self.objects(kind) if d["metadata"]["name"] == name), None)

    def check_metadata(self, doc, where):
        meta = doc.get("metadata") or {}
        name = meta.get("name")
        if not doc.get("apiVersion") or not doc.get("kind") or not name:
            return self.error(where, "apiVersion, kind and metadata.name are required")
        if len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
            self.error(where, f"metadata.name {name!r} is not a DNS-1123 subdomain")
        if doc["kind"] == "Service" and (len(name) > 63 or not DNS1035_LABEL.match(name)):
            self.error(where, f"Service name {name!r} is not a DNS-1035 label")
        if doc["kind"] == "StatefulSet" and len(name) > 52:
            self.error(where, f"StatefulSet name {name!r} longer than 52 (pod name label limit)")
        for key, value in (meta.get("labels") or {}).items():
            if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
                self.error(where, f"label {key}={value!r} is not a valid label value")

    def workloads(self):
        return [d for d in self.docs if d.get("kind") in ("StatefulSet", "Deployment", "Job")]

    @staticmethod
    def pod_labels(workload):
        return workload["spec"]["template"]["metadata"].get("labels") or {}

    @staticmethod
    def containers(workload):
        spec = workload["spec"]["template"]["spec"]
        return (spec.get("initContainers") or []) + spec["containers"]

    @staticmethod
    def matches(selector, labels):
        return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

    @staticmethod
    def flag(args, name):
        return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None

    def check_selectors(self):
        for w in self.workloads():
            where = f"{w['kind']}/{w['metadata']['name']}"
            selector = (w["spec"].get("selector") or {}).get("matchLabels")
            if w["kind"] != "Job" and not self.matches(selector, self.pod_labels(w)):
                self.error(where, f"spec.selector {selector} does not match the pod labels")
        for svc in self.objects("Service"):
            selector = svc["spec"].get("selector") or {}
            hits = [w for w in self.workloads() if self.matches(selector, self.pod_labels(w))]
            if len(hits) != 1:
                self.error(f"Service/{svc['metadata']['name']}",
                           f"selector {selector} matches {len(hits)} workloads' pods, expected exactly 1")

    def env_ref(self, container, var):
        for env in container.get("env") or []:
            if env.get("name") == var:
                return ((env.get("valueFrom") or {}).get("secretKeyRef")) or {"value": env.get("value")}
        return None

    def check_references(self):
        secrets = {s["metadata"]["name"]: s for s in self.objects("Secret")}
        configmaps = {c["metadata"]["name"]: c for c in self.objects("ConfigMap")}
        for w in self.workloads():
            where = f"{w['kind']}/{w['metadata']['name']}"
            for c in self.containers(w):
                if not c.get("image"):
                    self.error(where, f"container {c.get('name')} has no image")
                if not (c.get("securityContext") or {}).get("runAsNonRoot"):
                    self.error(where, f"container {c.get('name')} does not set runAsNonRoot")
                defined = {e["name"] for e in c.get("env") or []}
                for arg in (c.get("args") or []) + (c.get("command") or []):
                    for var in re.findall(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)", str(arg)):
                        if var not in defined:
                            self.error(where, f"$({var}) in {c['name']}'s arguments is not an env var")
                for env in c.get("env") or []:
                    ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                    if not ref:
                        continue
                    if ref["name"] in secrets:
                        if ref["key"] not in (secrets[ref["name"]].get("data") or {}):
                            self.error(where, f"env {env['name']}: Secret {ref['name']} has no key {ref['key']}")
                    elif ref["name"] not in self.external_secrets:
                        self.error(where, f"env {env['name']}: Secret {ref['name']} is neither rendered nor external")
            for vol in w["spec"]["template"]["spec"].get("volumes") or []:
                if "configMap" in vol and vol["configMap"]["name"] not in configmaps:
                    self.error(where, f"volume {vol['name']}: ConfigMap {vol['configMap']['name']} not rendered")

    def check_agents(self):
        sets = self.objects("StatefulSet")
        if len(sets) != 1:
            return self.error("chart", f"expected one agent StatefulSet, found {len(sets)}")
        sts = sets[0]
        where = f"StatefulSet/{sts['metadata']['name']}"
        spec = sts["spec"]
        labels = self.pod_labels(sts)
        if spec.get("podManagementPolicy") != "Parallel":
            self.error(where, "podManagementPolicy must be Parallel")
        svc = self.named("Service", spec.get("serviceName"))
        if svc is None:
            return self.error(where, f"serviceName {spec.get('serviceName')!r} is not a rendered Service")
        swhere = f"Service/{svc['metadata']['name']}"
        if svc["spec"].get("clusterIP") != "None" or svc["spec"].get("publishNotReadyAddresses") is not True:
            self.error(swhere, "the agents' Service must be headless with publishNotReadyAddresses: true")
        if not self.matches(svc["spec"].get("selector"), labels):
            self.error(swhere, "selector does not match the agent pod labels")
        ports = svc["spec"].get("ports") or []
        if [p.get("port") for p in ports] != [AGENT_PORT]:
            self.error(swhere, f"ports must be exactly [{AGENT_PORT}], got {[p.get('port') for p in ports]}")
        agent = sts["spec"]["template"]["spec"]["containers"][0]
        cports = {p.get("name"): p["containerPort"] for p in agent.get("ports") or []}
        for p in ports:
            target = p.get("targetPort", p.get("port"))
            resolved = cports.get(target) if isinstance(target, str) else target
            if resolved != AGENT_PORT or AGENT_PORT not in cports.values():
                self.error(swhere, f"targetPort {target!r} does not reach container port {AGENT_PORT}")
        args = agent.get("args") or []
        if self.flag(args, "--listen") != f"0.0.0.0:{AGENT_PORT}":
            self.error(where, f"agent must listen on 0.0.0.0:{AGENT_PORT}, args: {args}")
        probe = (agent.get("readinessProbe") or {}).get("tcpSocket", {}).get("port")
        if (cports.get(probe) if isinstance(probe, str) else probe) != AGENT_PORT:
            self.error(where, f"readinessProbe must be tcpSocket {AGENT_PORT}")
        if not isinstance(self.env_ref(agent, "WSLOAD_AGENT_TOKEN"), dict) or \
                "key" not in self.env_ref(agent, "WSLOAD_AGENT_TOKEN"):
            self.error(where, "WSLOAD_AGENT_TOKEN must come from a Secret")
        pod = sts["spec"]["template"]["spec"]
        for sysctl in (pod.get("securityContext") or {}).get("sysctls") or []:
            if sysctl["name"] != "net.ipv4.ip_local_port_range":
                self.error(where, f"unexpected sysctl {sysctl['name']}")
                continue
            bounds = str(sysctl["value"]).split()
            if len(bounds) != 2 or not all(b.isdigit() for b in bounds) or \
                    not 1 <= int(bounds[0]) < int(bounds[1]) <= 65535:
                self.error(where, f"ip_local_port_range {sysctl['value']!r} is not 'LOW HIGH'")
        anti = ((pod.get("affinity") or {}).get("podAntiAffinity")) or {}
        terms = [t for t in anti.get("requiredDuringSchedulingIgnoredDuringExecution") or []] + \
                [t["podAffinityTerm"] for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
        for term in terms:
            if not self.matches(term["labelSelector"].get("matchLabels"), labels):
                self.error(where, "podAntiAffinity labelSelector does not select the agent pods")
        return sts, svc, agent

    def check_controller(self, agents):
        jobs = self.objects("Job")
        if not jobs:
            return
        sts, svc, agent = agents
        job = jobs[0]
        where = f"Job/{job['metadata']['name']}"
        if job["spec"].get("backoffLimit") != 0:
            self.error(where, "backoffLimit must be 0")
        pod = job["spec"]["template"]["spec"]
        if pod.get("restartPolicy") != "Never":
            self.error(where, "restartPolicy must be Never")
        ctl = pod["containers"][0]
        args = ctl.get("args") or []
        if not args or args[0] != "run":
            return self.error(where, f"controller args must start with run: {args}")
        agents_arg = self.flag(args, "--agents") or ""
        m = re.fullmatch(r"dns:///([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.([a-z0-9.-]+):(\d+)", agents_arg)
        if not m:
            self.error(where, f"--agents {agents_arg!r} is not dns:///SERVICE.NAMESPACE.svc.DOMAIN:PORT")
        else:
            if m.group(1) != svc["metadata"]["name"]:
                self.error(where, f"--agents names Service {m.group(1)}, the headless Service is {svc['metadata']['name']}")
            if m.group(2) != svc["metadata"].get("namespace"):
                self.error(where, f"--agents namespace {m.group(2)} != Service namespace {svc['metadata'].get('namespace')}")
            if int(m.group(4)) != AGENT_PORT:
                self.error(where, f"--agents port {m.group(4)} != {AGENT_PORT}")
        if str(self.flag(args, "--expect-agents")) != str(sts["spec"]["replicas"]):
            self.error(where, f"--expect-agents {self.flag(args, '--expect-agents')} != replicas {sts['spec']['replicas']}")
        if self.flag(args, "--agent-token") != "$(WSLOAD_AGENT_TOKEN)":
            self.error(where, "--agent-token must be $(WSLOAD_AGENT_TOKEN)")
        if self.env_ref(ctl, "WSLOAD_AGENT_TOKEN") != self.env_ref(agent, "WSLOAD_AGENT_TOKEN"):
            self.error(where, f"controller token {self.env_ref(ctl, 'WSLOAD_AGENT_TOKEN')} != agents' "
                              f"{self.env_ref(agent, 'WSLOAD_AGENT_TOKEN')}")
        if self.flag(args, "--json") is None:
            self.error(where, "--json report path missing")
        if args[1].startswith("/"):
            self.check_mounted_file(where, args[1], ctl, pod, yaml_mapping=True)
        command = ctl.get("command") or []
        if len(command) != 2 or command[0] != "/bin/bash":
            self.error(where, f"controller command must be [/bin/bash, SCRIPT], got {command}")
        else:
            self.check_mounted_file(where, command[1], ctl, pod, yaml_mapping=False)
        self.check_target_url(where, args)
        self.check_controller_ports(where, job, ctl, args)

    def check_controller_ports(self, where, job, ctl, args):
        """--metrics-listen / --web: an IPv4 literal and a named container port of the same number,
        a linger duration, and the controller Service's port reaching it."""
        cports = {p.get("name"): p.get("containerPort") for p in ctl.get("ports") or []}
        served = {}
        for flag, linger, name in (("--metrics-listen", "--metrics-linger", "metrics"),
                                   ("--web", "--web-linger", "web")):
            listen = self.flag(args, flag)
            if listen is None:
                if name in cports:
                    self.error(where, f"container port {name} without {flag}")
                continue
            m = IPV4_LISTEN.match(listen)
            if not m:
                self.error(where, f"{flag} {listen!r} is not IPV4:PORT")
                continue
            if cports.get(name) != int(m.group(2)):
                self.error(where, f"{flag} port {m.group(2)} != container port {name} ({cports.get(name)})")
            if not DURATION.match(str(self.flag(args, linger))):
                self.error(where, f"{linger} {self.flag(args, linger)!r} is not a duration")
            served[name] = int(m.group(2))
        labels = self.pod_labels(job)
        services = [svc for svc in self.objects("Service") if self.matches(svc["spec"].get("selector"), labels)]
        if served and len(services) != 1:
            return self.error(where, f"{len(services)} Services select the controller pod, expected 1")
        if not served:
            if services:
                self.error(where, "a Service selects the controller pod but it serves no port")
            return
        svc = services[0]
        sports = {p.get("name"): p for p in svc["spec"].get("ports") or []}
        if set(sports) != set(served):
            self.error(f"Service/{svc['metadata']['name']}", f"ports {sorted(sports)} != served {sorted(served)}")
        for name, p in sports.items():
            target = p.get("targetPort", p.get("port"))
            if (cports.get(target) if isinstance(target, str) else target) != served.get(name):
                self.error(f"Service/{svc['metadata']['name']}", f"port {name}: targetPort {target!r} "
                           f"does not reach the controller's {name} port {served.get(name)}")
        self.check_monitors(job, svc, cports)

    def check_monitors(self, job, svc, cports):
        for kind in MONITORS:
            for mon in self.objects(kind):
                where = f"{kind}/{mon['metadata']['name']}"
                spec = mon["spec"]
                names = (spec.get("namespaceSelector") or {}).get("matchNames") or \
                    [mon["metadata"].get("namespace")]
                selector = (spec.get("selector") or {}).get("matchLabels")
                if kind == "ServiceMonitor":
                    hits = [s for s in self.objects("Service")
                            if self.matches(selector, s["metadata"].get("labels") or {})]
                    if hits != [svc]:
                        self.error(where, f"selector {selector} selects Services "
                                          f"{[h['metadata']['name'] for h in hits]}, expected [{svc['metadata']['name']}]")
                    if svc["metadata"].get("namespace") not in names:
                        self.error(where, f"namespaceSelector {names} misses {svc['metadata'].get('namespace')}")
                    ports = [p.get("name") for p in svc["spec"].get("ports") or []]
                else:
                    hits = [w for w in self.workloads() if self.matches(selector, self.pod_labels(w))]
                    if hits != [job]:
                        self.error(where, f"selector {selector} selects pods of "
                                          f"{[h['metadata']['name'] for h in hits]}, expected the controller Job's")
                    if job["metadata"].get("namespace") not in names:
                        self.error(where, f"namespaceSelector {names} misses {job['metadata'].get('namespace')}")
                    ports = list(cports)
                for ep in spec.get(MONITORS[kind][0]) or []:
                    if ep.get("port") != "metrics" or "metrics" not in ports:
                        self.error(where, f"endpoint port {ep.get('port')!r} is not the metrics port ({ports})")
                    if ep.get("path", "/metrics") != "/metrics":
                        self.error(where, f"endpoint path {ep.get('path')!r} is not /metrics")

    def check_dashboards(self):
        for cm in self.objects("ConfigMap"):
            for key, text in (cm.get("data") or {}).items():
                if not key.endswith(".json"):
                    continue
                where = f"ConfigMap/{cm['metadata']['name']}"
                try:
                    board = json.loads(text)
                except ValueError as e:
                    self.error(where, f"{key} is not JSON: {e}")
                    continue
                if not isinstance(board, dict) or not board.get("panels") or not board.get("uid"):
                    self.error(where, f"{key} is not a Grafana dashboard (panels and uid)")
                if not any(v == "1" for v in (cm["metadata"].get("labels") or {}).values()):
                    self.error(where, "no sidecar label (value \"1\")")

    def check_mounted_file(self, where, path, ctl, pod, yaml_mapping):
        """path must be a key of a rendered ConfigMap mounted into the controller container."""
        for mount in ctl.get("volumeMounts") or []:
            if path.startswith(mount["mountPath"].rstrip("/") + "/"):
                key = path[len(mount["mountPath"].rstrip("/")) + 1:]
                vol = next((v for v in pod.get("volumes") or [] if v["name"] == mount["name"]), {})
                cm = self.named("ConfigMap", (vol.get("configMap") or {}).get("name"))
                if cm is None or key not in (cm.get("data") or {}):
                    return self.error(where, f"{path}: no ConfigMap key {key} behind the mount")
                if not yaml_mapping:
                    return
                try:
                    body = yaml.safe_load(cm["data"][key])
                except yaml.YAMLError as e:
                    return self.error(where, f"scenario {path} is not YAML: {e}")
                if not isinstance(body, dict):
                    self.error(where, f"scenario {path} is not a YAML mapping")
                return
        self.error(where, f"{path} is not under any volume mount")

    def check_target_url(self, where, args):
        deployments = self.objects("Deployment")
        if not deployments:
            return
        url = self.flag(args, "--url") or ""
        m = re.fullmatch(r"wss?://([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.[a-z0-9.-]+:(\d+)(/.*)", url)
        svc = self.named("Service", m.group(1)) if m else None
        if svc is None:
            return self.error(where, f"--url {url!r} does not name the in-cluster target Service")
        if not self.matches(svc["spec"]["selector"], self.pod_labels(deployments[0])):
            self.error(f"Service/{svc['metadata']['name']}", "selector does not match the target pods")
        if int(m.group(3)) not in [p["port"] for p in svc["spec"]["ports"]]:
            self.error(where, f"--url port {m.group(3)} is not a port of Service {svc['metadata']['name']}")
        target_args = deployments[0]["spec"]["template"]["spec"]["containers"][0].get("args") or []
        if self.flag(target_args, "--path") != m.group(4):
            self.error(where, f"--url path {m.group(4)} != target --path {self.flag(target_args, '--path')}")

    def run(self):
        seen = set()
        for i, doc in enumerate(self.docs):
            where = f"document {i + 1} ({doc.get('kind')}/{(doc.get('metadata') or {}).get('name')})"
            self.check_metadata(doc, where)
            self.check_schema(doc, where)
            key = (doc.get("kind"), (doc.get("metadata") or {}).get("name"))
            if key in seen:
                self.error(where, "duplicate kind/name")
            seen.add(key)
        if self.errors:  # wiring checks assume schema-valid objects
            return self.errors
        self.check_selectors()
        self.check_references()
        agents = self.check_agents()
        if agents:
            self.check_controller(agents)
        self.check_dashboards()
        if not self.objects("Job"):
            for kind in MONITORS:
                for mon in self.objects(kind):
                    self.error(f"{kind}/{mon['metadata']['name']}", "no controller Job to scrape")
        return self.errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifests")
    parser.add_argument("--external-secret", action="append", default=[],
                        help="a Secret the chart references but does not render")
    opts = parser.parse_args()
    with open(opts.manifests) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    errors = Checker(docs, opts.external_secret).run()
    if errors:
        for e in errors:
            print(f"{opts.manifests}: {e}")
        sys.exit(1)
    kinds = sorted({d["kind"] for d in docs})
    print(f"{opts.manifests}: OK, {len(docs)} objects ({', '.join(kinds)})")


if __name__ == "__main__":
    main()
