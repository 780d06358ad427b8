#!/usr/bin/env python3
"""A stand-in for the Kubernetes API server's discovery endpoints, for
`kubectl apply --dry-run=client` where no cluster runs (scripts/check-deploy).

kubectl needs a server even for a client-side dry run: it reads the API discovery documents
(GET /api, /api/v1, /apis, /apis/GROUP/VERSION: APIVersions, APIResourceList and
APIGroupList, as the Kubernetes API reference documents them) to map each manifest's kind to a
resource, and GETs each object to choose between create and patch. This answers discovery
for the kinds AuditLedger's manifests use and 404 (a Status object) for every object, so that
kubectl parses, maps and prints every object as it would create it. It validates no field:
scripts/check-deploy validates the manifests against Kubernetes' published schemas with
kubernetes-validate, offline.

    scripts/kube_standin.py PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESOURCES = {
    ("", "v1"): [("namespaces", "Namespace", False), ("services", "Service", True), ("secrets", "Secret", True),
                 ("persistentvolumeclaims", "PersistentVolumeClaim", True), ("serviceaccounts", "ServiceAccount", True),
                 ("configmaps", "ConfigMap", True)],
    ("apps", "v1"): [("deployments", "Deployment", True)],
    ("monitoring.coreos.com", "v1"): [("servicemonitors", "ServiceMonitor", True), ("prometheusrules", "PrometheusRule", True)],
}


def resource_list(group, version):
    return {
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
        "resources": [
            {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
            for name, kind, namespaced in RESOURCES[(group, version)]
        ],
    }


def group_list():
    groups = []
    for group, version in RESOURCES:
        if not group:
            continue
        gv = {"groupVersion": f"{group}/{version}", "version": version}
        groups.append({"name": group, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/api":
            return self.answer(200, {"kind": "APIVersions", "versions": ["v1"],
                                     "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self.answer(200, group_list())
        if path == "/version":
            return self.answer(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0-standin"})
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"] and len(parts) == 2:
            return self.answer(200, resource_list("", "v1"))
        if parts[0] == "apis" and len(parts) == 3 and (parts[1], parts[2]) in RESOURCES:
            return self.answer(200, resource_list(parts[1], parts[2]))
        self.answer(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": f"{path} not found", "reason": "NotFound", "code": 404})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
