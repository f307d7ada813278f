// registry-tls.sh (render/registryTls.ts), run for real with openssl, and the certificate it makes served by a real
// distribution registry (Debian's docker-registry, the code of registry:2) with exactly the TLS environment the
// component gives the containers: a client trusting the CA gets in, any other client is refused.
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    REGISTRY_TLS_ENV,
    registryCertFingerprint,
    registryTlsScript,
} from "../render/registryTls";
import { freePort } from "../bench/registryPair";
import { runScript, withVars } from "./support/lifecycle";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";

function tls(address = "127.0.0.1", dir = tempDir("registry-tls-")) {
    const vars = {
        TLS_DIR: dir,
        CA_DIR: path.join(dir, "ca"),
        CERT_DIR: path.join(dir, "registry"),
        ADDRESS: address,
    };
    const run = (addr = address) => {
        const r = runScript(
            withVars(registryTlsScript(stackSettings("aio")), { ...vars, ADDRESS: addr }),
            [],
            {},
        );
        assert.equal(r.status, 0, r.stderr);
        return registryCertFingerprint(r.stdout);
    };
    const file = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    return { dir, run, file, ...vars };
}

const curl = (url: string, ...opts: string[]) =>
    spawnSync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", ...opts, url], {
        encoding: "utf8",
    });

describe("registry-tls.sh: the registry's certificate from a CA the program owns", function () {
    this.timeout(30000);
    const procs: ChildProcess[] = [];
    after(() => {
        for (const p of procs) p.kill("SIGKILL");
    });

    async function serve(t: ReturnType<typeof tls>): Promise<string> {
        const port = await freePort();
        const config = path.join(t.dir, `config-${port}.yml`);
        fs.writeFileSync(
            config,
            `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(t.dir, "data")}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
        );
        // The component's environment, its /certs mount pointing at the directory the script filled.
        const env = Object.fromEntries(
            REGISTRY_TLS_ENV.map((e) => e.split("=") as [string, string]).map(([k, v]) => [
                k,
                v.replace("/certs", t.CERT_DIR),
            ]),
        );
        const log = path.join(t.dir, `log-${port}`);
        const out = fs.openSync(log, "w");
        const proc = spawn("docker-registry", ["serve", config], {
            stdio: ["ignore", out, out],
            env: { ...process.env, ...env },
        });
        fs.closeSync(out);
        procs.push(proc);
        const url = `https://127.0.0.1:${port}/v2/`;
        for (let i = 0; i < 100; i++) {
            if (proc.exitCode !== null) throw new Error(fs.readFileSync(log, "utf8"));
            if (curl(url, "-k").stdout === "200") return url;
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`registry did not come up: ${fs.readFileSync(log, "utf8")}`);
    }

    it("a client with the CA reaches the registry over TLS; without it, or with another CA, it is refused", async () => {
        const t = tls();
        t.run();
        const url = await serve(t);
        assert.equal(curl(url, "--cacert", path.join(t.CA_DIR, "ca.crt")).stdout, "200");
        const none = curl(url);
        assert.equal(none.status, 60, "curl: peer certificate cannot be authenticated");
        const other = tls();
        other.run();
        assert.equal(curl(url, "--cacert", path.join(other.CA_DIR, "ca.crt")).status, 60);
        // The certificate names the address the targets pull from, as an IP subjectAltName (what Go checks).
        const text = spawnSync(
            "openssl",
            ["x509", "-in", path.join(t.CERT_DIR, "registry.crt"), "-noout", "-text"],
            {
                encoding: "utf8",
            },
        ).stdout;
        assert.match(text, /IP Address:127\.0\.0\.1/);
        assert.match(text, /TLS Web Server Authentication/);
    });

    it("keeps the CA and the certificate on a re-run, re-issues for a new address with the same CA, and the CA key never reaches the registry's directory", () => {
        const t = tls();
        const first = t.run();
        assert.match(first, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        const ca = t.file("ca/ca.crt");
        assert.equal(t.run(), first, "kept");
        const moved = t.run("127.0.0.2");
        assert.notEqual(moved, first, "a certificate for the new address");
        assert.equal(t.file("ca/ca.crt"), ca, "the same CA: the targets keep trusting it");
        assert.deepEqual(fs.readdirSync(t.CERT_DIR).sort(), ["registry.crt", "registry.key"]);
        assert.equal((fs.statSync(path.join(t.CA_DIR, "ca.key")).mode & 0o777).toString(8), "600");
        assert.equal(
            (fs.statSync(path.join(t.CERT_DIR, "registry.key")).mode & 0o777).toString(8),
            "600",
        );
    });

    it("a key and certificate left unmatched by an interrupted run are made again", () => {
        const t = tls();
        const first = t.run();
        // As if cut off between renaming the new key and the new certificate into place.
        spawnSync("openssl", [
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-out",
            path.join(t.CERT_DIR, "registry.key"),
        ]);
        const again = t.run();
        assert.notEqual(again, first);
        const pub = (args: string[]) => spawnSync("openssl", args, { encoding: "utf8" }).stdout;
        assert.equal(
            pub(["x509", "-in", path.join(t.CERT_DIR, "registry.crt"), "-noout", "-pubkey"]),
            pub(["pkey", "-in", path.join(t.CERT_DIR, "registry.key"), "-pubout"]),
        );
    });

    it("the writable registry listens where REGISTRY_HTTP_ADDR says (its own loopback), whatever its config file says", async () => {
        const dir = tempDir("registry-addr-");
        const [fromConfig, fromEnv] = [await freePort(), await freePort()];
        const config = path.join(dir, "config.yml");
        fs.writeFileSync(
            config,
            `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "data")}\nhttp:\n  addr: 127.0.0.1:${fromConfig}\n`,
        );
        const proc = spawn("docker-registry", ["serve", config], {
            stdio: "ignore",
            env: { ...process.env, REGISTRY_HTTP_ADDR: `127.0.0.1:${fromEnv}` },
        });
        procs.push(proc);
        let code = "";
        for (let i = 0; i < 100 && code !== "200"; i++) {
            code = curl(`http://127.0.0.1:${fromEnv}/v2/`).stdout;
            if (code !== "200") await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(code, "200");
        assert.notEqual(curl(`http://127.0.0.1:${fromConfig}/v2/`).stdout, "200");
    });
});
