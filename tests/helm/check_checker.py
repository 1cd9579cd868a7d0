#!/usr/bin/python3
"""Proves that check_manifests.py catches what it claims to: each case breaks one thing in a
correct rendering (golden/scale.yaml) and expects the checker to report it.

Usage: check_checker.py GOLDEN_MANIFESTS.yaml [GOLDEN_METRICS_MANIFESTS.yaml]
The second file (golden/metrics.yaml: controller metrics and web ports, ServiceMonitor, Grafana
dashboard) gets the METRICS_CASES.
"""
import copy
import sys

import yaml

from check_manifests import Checker


def find(docs, kind):
    return next(d for d in docs if d["kind"] == kind)


def agent(docs):
    return find(docs, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]


def controller(docs):
    return find(docs, "Job")["spec"]["template"]["spec"]["containers"][0]


def configmap(docs, key):
    return next(d for d in docs if d["kind"] == "ConfigMap" and key in d["data"])


def set_flag(args, name, value):
    args[args.index(name) + 1] = value


def headless(docs):
    return next(d for d in docs if d["kind"] == "Service" and d["spec"].get("clusterIP") == "None")


# (name, mutation, expected substring of one error)
CASES = [
    ("unknown container field", lambda d: agent(d).update(port=[{"containerPort": 7000}]),
     "containers[0].port: unknown field in V1Container (did you mean ports?)"),
    ("unknown top-level spec field", lambda d: find(d, "Job")["spec"].update(backoffLimits=0),
     "Job.spec.backoffLimits: unknown field in V1JobSpec"),
    ("misspelt sysctl list", lambda d: find(d, "StatefulSet")["spec"]["template"]["spec"]
     ["securityContext"].update(sysctl=[]), "unknown field in V1PodSecurityContext"),
    ("string where int", lambda d: find(d, "StatefulSet")["spec"].update(replicas="10"),
     "StatefulSet.spec.replicas: expected int"),
    ("number label value", lambda d: find(d, "Secret")["metadata"]["labels"].update(x=1),
     "Secret.metadata.labels.x: expected str"),
    ("missing required container name", lambda d: agent(d).pop("name"),
     "invalid V1StatefulSet"),
    ("unknown kind", lambda d: d.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}),
     "unknown apiVersion/kind v1/Pod"),
    ("no metadata.name", lambda d: find(d, "ConfigMap")["metadata"].pop("name"),
     "apiVersion, kind and metadata.name are required"),
    ("headless service selector", lambda d: headless(d)["spec"]["selector"].update(
        {"app.kubernetes.io/component": "agents"}), "selector does not match the agent pod labels"),
    ("service not headless", lambda d: headless(d)["spec"].pop("clusterIP"), "must be headless"),
    ("serviceName mismatch", lambda d: find(d, "StatefulSet")["spec"].update(serviceName="other"),
     "serviceName 'other' is not a rendered Service"),
    ("service port", lambda d: headless(d)["spec"]["ports"][0].update(port=7001), "ports must be exactly [7000]"),
    ("container port", lambda d: agent(d)["ports"][0].update(containerPort=7001),
     "does not reach container port 7000"),
    ("agent listen", lambda d: set_flag(agent(d)["args"], "--listen", "127.0.0.1:7000"),
     "agent must listen on 0.0.0.0:7000"),
    ("expect-agents", lambda d: set_flag(controller(d)["args"], "--expect-agents", "9"),
     "--expect-agents 9 != replicas 10"),
    ("agents dns name", lambda d: set_flag(controller(d)["args"], "--agents",
                                           "dns:///wsload-agent.default.svc.cluster.local:7000"),
     "--agents names Service wsload-agent"),
    ("agents namespace", lambda d: set_flag(controller(d)["args"], "--agents",
                                            "dns:///wsload-agents.prod.svc.cluster.local:7000"),
     "--agents namespace prod != Service namespace default"),
    ("controller token key", lambda d: controller(d)["env"][0]["valueFrom"]["secretKeyRef"].update(
        key="jwt-secret"), "controller token"),
    ("secret key missing", lambda d: find(d, "Secret")["data"].pop("agent-token"),
     "Secret wsload has no key agent-token"),
    ("undefined $(VAR)", lambda d: set_flag(controller(d)["args"], "--agent-token", "$(AGENT_TOKEN)"),
     "$(AGENT_TOKEN) in controller's arguments is not an env var"),
    ("backoffLimit", lambda d: find(d, "Job")["spec"].update(backoffLimit=3), "backoffLimit must be 0"),
    ("scenario key", lambda d: configmap(d, "scenario.yaml").update(data={"other.yaml": "a: 1"}),
     "no ConfigMap key scenario.yaml"),
    ("scenario not a mapping", lambda d: configmap(d, "scenario.yaml").update(data={"scenario.yaml": "- a"}),
     "is not a YAML mapping"),
    ("controller script not mounted", lambda d: controller(d)["volumeMounts"].pop(2),
     "/opt/wsload/run-controller.sh is not under any volume mount"),
    ("target url", lambda d: set_flag(controller(d)["args"], "--url", "ws://localhost:3001/ws"),
     "does not name the in-cluster target Service"),
    ("anti-affinity selector", lambda d: find(d, "StatefulSet")["spec"]["template"]["spec"]["affinity"]
     ["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
     ["labelSelector"]["matchLabels"].update({"app.kubernetes.io/component": "target"}),
     "podAntiAffinity labelSelector does not select the agent pods"),
    ("port range", lambda d: find(d, "StatefulSet")["spec"]["template"]["spec"]["securityContext"]
     ["sysctls"][0].update(value="65000 1024"), "is not 'LOW HIGH'"),
]


def named(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def monitor_endpoint(docs):
    return find(docs, "ServiceMonitor")["spec"]["endpoints"][0]


def as_pod_monitor(docs):
    """The ServiceMonitor turned into the equivalent PodMonitor."""
    mon = find(docs, "ServiceMonitor")
    mon["kind"] = "PodMonitor"
    mon["spec"]["podMetricsEndpoints"] = mon["spec"].pop("endpoints")
    mon["metadata"]["namespace"] = "default"


METRICS_CASES = [
    ("metrics listen not IPv4", lambda d: set_flag(controller(d)["args"], "--metrics-listen", "[::]:9500"),
     "--metrics-listen '[::]:9500' is not IPV4:PORT"),
    ("metrics port mismatch", lambda d: set_flag(controller(d)["args"], "--metrics-listen", "0.0.0.0:9464"),
     "--metrics-listen port 9464 != container port metrics (9500)"),
    ("metrics linger", lambda d: set_flag(controller(d)["args"], "--metrics-linger", "a minute"),
     "--metrics-linger 'a minute' is not a duration"),
    ("web port without --web", lambda d: [controller(d)["args"].remove(a) for a in
                                          ("--web", "0.0.0.0:8090", "--web-linger", "10m")],
     "container port web without --web"),
    ("service targetPort", lambda d: named(d, "Service", "wsload-controller")["spec"]["ports"][0].update(
        targetPort="metric"), "targetPort 'metric' does not reach the controller's metrics port"),
    ("service selects agents", lambda d: named(d, "Service", "wsload-controller")["spec"]["selector"].update(
        {"app.kubernetes.io/component": "agent"}), "Services select the controller pod, expected 1"),
    ("monitor selects the agents' Service", lambda d: find(d, "ServiceMonitor")["spec"]["selector"]
     ["matchLabels"].update({"app.kubernetes.io/component": "agent"}), "selects Services ['wsload-agents']"),
    ("monitor namespace", lambda d: find(d, "ServiceMonitor")["spec"]["namespaceSelector"].update(
        matchNames=["monitoring"]), "namespaceSelector ['monitoring'] misses default"),
    ("monitor port", lambda d: monitor_endpoint(d).update(port="http"), "endpoint port 'http' is not the metrics port"),
    ("monitor field", lambda d: monitor_endpoint(d).update(intervall="10s"),
     "unknown endpoint field (did you mean interval?)"),
    ("monitor duration", lambda d: monitor_endpoint(d).update(interval="10 seconds"), "is not a Prometheus duration"),
    ("monitor spec field", lambda d: find(d, "ServiceMonitor")["spec"].update(endpoint=[]),
     "unknown field in ServiceMonitorSpec (did you mean endpoints?)"),
    ("pod monitor selector", lambda d: (as_pod_monitor(d), find(d, "PodMonitor")["spec"]["selector"]
     ["matchLabels"].update({"app.kubernetes.io/component": "target"})), "expected the controller Job's"),
    ("dashboard JSON", lambda d: named(d, "ConfigMap", "wsload-dashboard")["data"].update(
        {"wsload.json": "{\"panels\": ["}), "wsload.json is not JSON"),
    ("dashboard label", lambda d: named(d, "ConfigMap", "wsload-dashboard")["metadata"]["labels"].pop(
        "grafana_dashboard"), "no sidecar label"),
]


def run_cases(path, cases, failures):
    with open(path) as f:
        good = [d for d in yaml.safe_load_all(f) if d]
    baseline = Checker(copy.deepcopy(good), []).run()
    if baseline:
        failures.append(f"unmodified {path} does not pass: {baseline}")
    for name, mutate, expected in cases:
        docs = copy.deepcopy(good)
        mutate(docs)
        errors = Checker(docs, []).run()
        if not any(expected in e for e in errors):
            failures.append(f"{name}: expected an error containing {expected!r}, got {errors}")


def main():
    failures = []
    run_cases(sys.argv[1], CASES, failures)
    total = len(CASES)
    if len(sys.argv) > 2:
        run_cases(sys.argv[2], METRICS_CASES, failures)
        total += len(METRICS_CASES)
    for f in failures:
        print("FAIL", f)
    print(f"checker self-test: {total - len(failures)}/{total} broken objects caught")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
