#!/usr/bin/env python3
"""Offline checks of deploy/ that need no tool but PyYAML (scripts/check-deploy runs them):

- every alert in deploy/prometheus/auditledger-rules.yaml has a case in its unit tests where it
  fires and one where it must not;
- deploy/kubernetes/prometheusrule.yaml holds exactly the rules file's groups (--write makes it);
- the dashboard's queries, with its variables filled in, are written out as recording rules
  for `promtool check rules` to parse (path given by --dashboard-rules);
- every metric the dashboard and the alerts name is documented in docs/metrics.md, and
  written to --metric-names for the server test that checks a running server exports it;
- the Deployment and the Dockerfile agree (port, user, paths), its probes are paths of
  docs/openapi.yaml, and every AUDITLEDGER_* variable it sets is one the command line reads.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy/prometheus/auditledger-rules.yaml"
RULE_TESTS = ROOT / "deploy/prometheus/auditledger-rules.test.yaml"
PROMETHEUS_RULE = ROOT / "deploy/kubernetes/prometheusrule.yaml"
DASHBOARD = ROOT / "deploy/grafana/auditledger-dashboard.json"
METRIC = re.compile(r"\b((?:auditledger|audit|workflow_audit)_[a-z0-9_]+)")
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "topk", "max", "min", "time", "unless", "le"}
problems = []


def fail(message):
    problems.append(message)


def prometheus_rule_text(rules):
    doc = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
           "metadata": {"name": "auditledger", "labels": {"app.kubernetes.io/name": "auditledger"}},
           "spec": {"groups": rules["groups"]}}
    head = ("# Generated from deploy/prometheus/auditledger-rules.yaml by `scripts/check-deploy --write`;\n"
            "# scripts/check-deploy fails when the two differ.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, width=200)


def metric_names(expr):
    """Metric names in a PromQL expression, histogram series folded to their family."""
    names = set()
    for name in METRIC.findall(expr):
        names.add(re.sub(r"_(bucket|sum|count)$", "", name))
    return names


def check_alerts(rules):
    alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
    tests = yaml.safe_load(RULE_TESTS.read_text())
    firing, quiet = set(), set()
    for test in tests["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    for alert in alerts:
        if alert not in firing:
            fail(f"alert {alert} has no unit test where it fires ({RULE_TESTS.name})")
        if alert not in quiet:
            fail(f"alert {alert} has no unit test where it must stay quiet ({RULE_TESTS.name})")
    return alerts


def dashboard_queries():
    dashboard = json.loads(DASHBOARD.read_text())
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"].replace('job=~"$job"', 'job=~".+"').replace('instance=~"$instance"', 'instance=~".+"')
            expr = expr.replace("[$__range]", "[6h]")
            if "$" in expr:
                fail(f"dashboard panel {panel['title']!r}: an unknown variable in {target['expr']!r}")
            queries.append((panel["title"], expr))
    return queries


def check_deployment():
    docs = list(yaml.safe_load_all((ROOT / "deploy/kubernetes/deployment.yaml").read_text()))
    deployment = next(d for d in docs if d and d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "auditledger")
    dockerfile = (ROOT / "Dockerfile").read_text()
    expose = re.search(r"^EXPOSE (\d+)", dockerfile, re.M)
    port = container["ports"][0]["containerPort"]
    if not expose or int(expose.group(1)) != port:
        fail(f"the Dockerfile's EXPOSE and the Deployment's containerPort {port} differ")
    user = re.search(r"^USER (\d+):(\d+)", dockerfile, re.M)
    if not user or int(user.group(1)) != pod["securityContext"]["runAsUser"]:
        fail("the Dockerfile's USER and the Deployment's runAsUser differ")
    spec = yaml.safe_load((ROOT / "docs/openapi.yaml").read_text())
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        path = container[probe]["httpGet"]["path"]
        if path not in spec["paths"]:
            fail(f"the Deployment's {probe} asks {path}, which docs/openapi.yaml does not have")
    cli = "\n".join(p.read_text() for p in (ROOT / "Sources/AuditLedgerCLI").rglob("*.swift"))
    for env in container["env"]:
        if env["name"].startswith("AUDITLEDGER_") and f'"{env["name"]}"' not in cli:
            fail(f"the Deployment sets {env['name']}, which the command line does not read")
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    values = {e["name"]: e.get("value") for e in container["env"]}
    for name in ("AUDITLEDGER_DATA_DIR", "AUDITLEDGER_SPOOL_DIR", "AUDITLEDGER_AUTH_TOKENS", "AUDITLEDGER_SIGNING_KEY"):
        value = values.get(name)
        if value and not any(value == m or value.startswith(m.rstrip("/") + "/") for m in mounts):
            fail(f"the Deployment's {name}={value} is on no volume it mounts")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write prometheusrule.yaml from the rules file")
    parser.add_argument("--dashboard-rules", help="write the dashboard's queries as a rules file for promtool")
    parser.add_argument("--metric-names", help="write the metric names the dashboard and alerts use, one per line")
    args = parser.parse_args()

    rules = yaml.safe_load(RULES.read_text())
    expected = prometheus_rule_text(rules)
    if args.write:
        PROMETHEUS_RULE.write_text(expected)
    elif PROMETHEUS_RULE.read_text() != expected:
        fail(f"{PROMETHEUS_RULE.relative_to(ROOT)} differs from the rules file: run scripts/check-deploy --write")
    alerts = check_alerts(rules)

    queries = dashboard_queries()
    if args.dashboard_rules:
        recording = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:panel_{i}", "expr": expr} for i, (_, expr) in enumerate(queries)]}]}
        Path(args.dashboard_rules).write_text(yaml.safe_dump(recording, sort_keys=False, width=400))

    names = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            names |= metric_names(rule["expr"])
    for _, expr in queries:
        names |= metric_names(expr)
    documented = (ROOT / "docs/metrics.md").read_text()
    for name in sorted(names):
        if f"`{name}" not in documented:
            fail(f"{name} (used by the dashboard or an alert) is not in docs/metrics.md")
    if args.metric_names:
        Path(args.metric_names).write_text("".join(f"{n}\n" for n in sorted(names)))

    check_deployment()
    for problem in problems:
        print(f"check-deploy: {problem}", file=sys.stderr)
    print(f"check-deploy: {len(alerts)} alerts, {len(queries)} dashboard queries, {len(names)} metrics named; "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
