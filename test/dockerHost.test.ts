// Docker on the deploy host (stage 2): render/dockerHost.ts's docker-install.sh and ssh options, and
// components/registry/dockerHost.ts's provider built from them.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { dockerInstallScript } from "../render/dockerHost";
import { Graph } from "../tools/evaluate/harness";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import {
    FAKE_SUDO,
    fakeBin,
    onlyTools,
    registryGraph,
    runScript,
    TEST_HOST_KEY,
} from "./support/lifecycle";
import { asStrings, inputString, parseJson } from "./support/narrow";

describe("DeployHostDocker", () => {
    let g: Graph;
    before(async () => {
        g = await registryGraph();
    });

    it("configures the docker provider from the Docker-install command's output", () => {
        const provider = g.get("deploy-docker-provider", "pulumi:providers:docker");
        const install = g.get("deploy-docker-install");
        assert.deepEqual(provider.propertyDependencies.host, [install.urn]);
        assert.equal(provider.inputs.host, "ssh://vagrant@10.10.10.50:22");
        // Only the deploy host's pinned key, whatever the operator's known_hosts says.
        const opts = asStrings(parseJson(inputString(provider, "sshOpts")), "sshOpts");
        for (const o of [
            "StrictHostKeyChecking=yes",
            "UserKnownHostsFile=/dev/null",
            `KnownHostsCommand=/bin/echo %H ${TEST_HOST_KEY}`,
        ])
            assert.ok(opts.includes(o), o);
        assert.ok(!opts.some((o) => o.includes("accept-new")));
    });
});

describe("docker-install.sh, run for real against stand-ins for apt, systemd and the user database", () => {
    it("installs docker.io and adds the SSH user to the docker group only when missing; a second run only checks", () => {
        const root = tempDir("docker-install-");
        const calls = path.join(root, "calls"),
            groups = path.join(root, "groups"),
            installed = path.join(root, "installed");
        fs.mkdirSync(installed);
        const user = stackSettings("aio").deployHost.sshUser;
        fs.writeFileSync(groups, `${user} adm sudo`);
        const record = `echo "$(basename "$0") $*" >> ${JSON.stringify(calls)}`;
        const bin = fakeBin({
            sudo: FAKE_SUDO,
            "apt-get": `${record}
case " $* " in *" install "*) ;; *) exit 0 ;; esac
printf '#!/usr/bin/env bash\\necho 24.0.7\\n' > ${JSON.stringify(installed)}/docker
chmod +x ${JSON.stringify(installed)}/docker 2>/dev/null || true`,
            systemctl: record,
            "cloud-init": record,
            usermod: `${record}; echo " docker" >> ${JSON.stringify(groups)}`,
            id: `[ "$1" = -nG ] && { cat ${JSON.stringify(groups)}; exit 0; }; exec /usr/bin/id "$@"`,
        });
        const script = dockerInstallScript(stackSettings("aio").deployHost).text;
        // Only the basics on PATH, so no docker this machine may have is found before the install.
        const basics = onlyTools([
            "bash",
            "env",
            "basename",
            "cat",
            "chmod",
            "tr",
            "grep",
            "timeout",
        ]);
        const run = () => runScript(script, [], { PATH: `${bin}:${installed}:${basics}` });
        const first = run();
        assert.equal(first.status, 0, first.stderr);
        assert.equal(
            first.stdout.trim().split("\n").pop(),
            "24.0.7",
            "the server version is the provider's input",
        );
        assert.deepEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), [
            "cloud-init status --wait",
            "apt-get -o DPkg::Lock::Timeout=600 -q update",
            "apt-get -o DPkg::Lock::Timeout=600 -q install -y docker.io",
            "systemctl enable --now docker",
            `usermod -aG docker ${user}`,
        ]);
        fs.writeFileSync(calls, "");
        const second = run();
        assert.equal(second.status, 0, second.stderr);
        assert.equal(second.stdout.trim().split("\n").pop(), "24.0.7", "the same version line");
        assert.deepEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), [
            "systemctl enable --now docker",
        ]);
    });
});
