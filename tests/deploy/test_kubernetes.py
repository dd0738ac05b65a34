#!/usr/bin/env python3
"""The Kubernetes manifests (issue 14) checked offline: every object in deploy/kubernetes/
validates against the Kubernetes API schemas (npm kubernetes-models, each object's validate(),
installed from tests/k8s/package-lock.json), a broken object does not; the ConfigMap and the
checksum annotation are what render.py writes; the ConfigMap's configuration passes `versa serve
--check`; the Deployment has the probes, security context, resources and scrape annotations; the
replay Job's shards and the merge Job's list agree."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import REPO, versa_bin  # noqa: E402

K8S = os.path.join(REPO, "deploy", "kubernetes")
TOOLS = os.path.join(REPO, "tests", "k8s")


def npm_installed():
    """tests/k8s/node_modules, installed by deploy/install-deps.sh --test; installed here when
    missing (npm ci from the committed lock file)."""
    if not os.path.isdir(os.path.join(TOOLS, "node_modules", "kubernetes-models")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise AssertionError("npm ci in tests/k8s failed:\n" + r.stdout)


def validate(paths):
    r = subprocess.run(["node", os.path.join(TOOLS, "validate.mjs"), *paths], cwd=TOOLS,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return r.returncode, [json.loads(l) for l in r.stdout.splitlines() if l.strip()], r.stderr


def objects():
    """Every manifest object as JSON, by (kind, name), through the same YAML parser."""
    script = ("import {readFileSync} from 'node:fs'; import {parseAllDocuments} from 'yaml';"
              "const out = [];"
              "for (const f of process.argv.slice(1)) for (const d of parseAllDocuments("
              "readFileSync(f, 'utf8'))) { const o = d.toJS(); if (o) out.push(o); }"
              "console.log(JSON.stringify(out));")
    r = subprocess.run(["node", "--input-type=module", "-e", script,
                        *sorted(glob.glob(os.path.join(K8S, "*.yaml")))],
                       cwd=TOOLS, stdout=subprocess.PIPE, text=True, check=True)
    return {(o["kind"], o["metadata"]["name"]): o for o in json.loads(r.stdout)}


class Manifests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        npm_installed()
        cls.objs = objects()
        cls.dep = cls.objs[("Deployment", "versa")]
        cls.pod = cls.dep["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]

    def test_every_object_validates(self):
        files = sorted(glob.glob(os.path.join(K8S, "*.yaml")))
        rc, results, err = validate(files)
        kinds = set()
        for res in results:
            with self.subTest(file=os.path.basename(res["file"]), kind=res.get("kind")):
                self.assertTrue(res["ok"], res.get("error"))
            kinds.add(res.get("kind"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(kinds, {"Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler",
                                 "PodDisruptionBudget", "Job", "PersistentVolumeClaim"})

    def test_a_broken_object_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="versa-k8s-")
        self.addCleanup(shutil.rmtree, tmp)
        text = open(os.path.join(K8S, "deployment.yaml")).read()
        broken = os.path.join(tmp, "broken.yaml")
        with open(broken, "w") as f:
            f.write(text.replace("containerPort: 8080", 'containerPort: "eighty"'))
        rc, results, _ = validate([broken])
        self.assertNotEqual(rc, 0)
        self.assertIn("containerPort", results[0]["error"])

    def test_configmap_and_checksum_are_rendered(self):
        r = subprocess.run([sys.executable, os.path.join(K8S, "render.py"), "--check"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        ann = self.dep["spec"]["template"]["metadata"]["annotations"]
        self.assertRegex(ann["checksum/config"], r"^[0-9a-f]{64}$")

    def test_configmap_config_passes_check(self):
        data = self.objs[("ConfigMap", "versa-config")]["data"]
        self.assertEqual(set(data), {"versa.yaml", "shop-v1.yaml", "shop-v2.yaml",
                                     "shop-adapters.yaml"})
        tmp = tempfile.mkdtemp(prefix="versa-k8s-")
        self.addCleanup(shutil.rmtree, tmp)
        for key, text in data.items():
            with open(os.path.join(tmp, key), "w") as f:
                f.write(text)
        # --offline: the upstreams are cluster Services, which resolve only inside the cluster
        # (a plain --check also resolves hosts and opens log files, as start-up does)
        r = subprocess.run([versa_bin(), "serve", "-c", os.path.join(tmp, "versa.yaml"),
                            "--check", "--offline"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        # the mount in the Deployment is where versa.yaml says the files are
        mounts = {m["name"]: m["mountPath"] for m in self.container["volumeMounts"]}
        self.assertEqual(mounts["config"], "/etc/versa")
        self.assertEqual(self.container["args"], ["serve", "-c", "/etc/versa/versa.yaml"])

    def test_deployment_probes_security_and_scraping(self):
        c = self.container
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        self.assertEqual(ports, {"http": 8080, "admin": 9901})
        self.assertEqual(c["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "admin"})
        self.assertEqual(c["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "admin"})
        sc = c["securityContext"]
        self.assertEqual(sc["allowPrivilegeEscalation"], False)
        self.assertEqual(sc["readOnlyRootFilesystem"], True)
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertTrue(self.pod["securityContext"]["runAsNonRoot"])
        self.assertEqual(self.pod["securityContext"]["runAsUser"], 10001)
        res = c["resources"]
        for key in ("cpu", "memory"):
            self.assertIn(key, res["requests"])
            self.assertIn(key, res["limits"])
        ann = self.dep["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(ann["prometheus.io/scrape"], "true")
        self.assertEqual(ann["prometheus.io/port"], str(ports["admin"]))
        self.assertEqual(ann["prometheus.io/path"], "/metrics")
        # the drain fits in the grace period: preStop sleep + shutdown_timeout_ms
        data = self.objs[("ConfigMap", "versa-config")]["data"]["versa.yaml"]
        drain_ms = int(re.search(r"shutdown_timeout_ms: (\d+)", data).group(1))
        pre = c["lifecycle"]["preStop"]["sleep"]["seconds"]
        self.assertLess(pre + drain_ms / 1000, self.pod["terminationGracePeriodSeconds"])
        # the Service, HPA and PDB select and target this Deployment
        labels = self.dep["spec"]["template"]["metadata"]["labels"]
        svc = self.objs[("Service", "versa")]
        pdb = self.objs[("PodDisruptionBudget", "versa")]
        hpa = self.objs[("HorizontalPodAutoscaler", "versa")]
        for selector in (svc["spec"]["selector"], pdb["spec"]["selector"]["matchLabels"]):
            self.assertTrue(set(selector.items()) <= set(labels.items()))
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"], "versa")
        self.assertEqual(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu")

    def test_replay_job_shards_and_merge_agree(self):
        job = self.objs[("Job", "versa-replay")]
        merge = self.objs[("Job", "versa-replay-merge")]
        n = job["spec"]["completions"]
        self.assertEqual(job["spec"]["completionMode"], "Indexed")
        args = job["spec"]["template"]["spec"]["containers"][0]["args"]
        self.assertEqual(args[:3], ["replay", "--shard", "$(SHARD)/%d" % n])
        self.assertIn("json", args)
        margs = merge["spec"]["template"]["spec"]["containers"][0]["args"]
        self.assertEqual(margs[:2], ["replay", "--merge"])
        out = args[args.index("-o") + 1]
        self.assertEqual([a for a in margs if a.startswith(os.path.dirname(out) + "/shard-")],
                         [out.replace("$(SHARD)", str(i)) for i in range(n)])


if __name__ == "__main__":
    tap.main()
