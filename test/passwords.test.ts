// render/passwords.ts: the overrides file of the passwords the stack owns, and passwords-merge.sh, run for real with
// stand-ins that have kolla's genpwd/mergepwd semantics: never a partial passwords.yml, a dated backup before a
// change, and no replacement that would lose a key or a value.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { passwordsMergeScript, renderPasswordOverrides } from "../render/passwords";
import { mode, runScript, withVars } from "./support/lifecycle";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";

// kolla_ansible/cmd/mergepwd.py: new.update(old) (old values win, keys of both kept); genpwd.py fills blank values
// only. `MERGEPWD_DIE_AFTER` makes the stand-in die half-way through writing --final, as an interrupted run would.
const MERGEPWD = `import os, sys, yaml
a = dict(zip(sys.argv[1::2], sys.argv[2::2]))
old = yaml.safe_load(open(a["--old"])); new = yaml.safe_load(open(a["--new"]))
new.update(old)
text = yaml.safe_dump(new, default_flow_style=False)
out = open(a["--final"], "w")
if os.environ.get("MERGEPWD_DIE_AFTER"):
    out.write(text[: int(os.environ["MERGEPWD_DIE_AFTER"])]); out.flush(); os._exit(137)
out.write(text)`;
const GENPWD = `import os, secrets, sys, yaml
f = sys.argv[sys.argv.index("-p") + 1]
p = yaml.safe_load(open(f))
for k, v in p.items():
    if v is None or os.environ.get("GENPWD_REGENERATE"): p[k] = secrets.token_hex(8)
yaml.safe_dump(p, open(f, "w"), default_flow_style=False)`;

describe("passwords-merge.sh, run for real", () => {
    const dirs: string[] = [];
    after(() => {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    function setUp(exampleKeys: string[]) {
        const dir = tempDir("passwords-");
        dirs.push(dir);
        const venv = path.join(dir, "venv");
        fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
        for (const [name, py] of [
            ["kolla-mergepwd", MERGEPWD],
            ["kolla-genpwd", GENPWD],
        ]) {
            fs.writeFileSync(
                path.join(venv, "bin", name),
                `#!/usr/bin/env bash\nexec python3 -c '${py}' "$@"\n`,
                { mode: 0o755 },
            );
        }
        fs.symlinkSync(fs.realpathSync("/usr/bin/python3"), path.join(venv, "bin", "python3"));
        const files = {
            example: path.join(dir, "example.yml"),
            overrides: path.join(dir, "override.yml"),
            passwords: path.join(dir, "etc", "passwords.yml"),
        };
        fs.mkdirSync(path.dirname(files.passwords));
        fs.writeFileSync(files.example, exampleKeys.map((k) => `${k}:\n`).join(""), {
            mode: 0o644,
        });
        fs.writeFileSync(files.overrides, "keystone_admin_password: stack-owned\n", {
            mode: 0o600,
        });
        const script = withVars(passwordsMergeScript(stackSettings("aio")), {
            VENV: venv,
            EXAMPLE: files.example,
            OVERRIDES: files.overrides,
            PASSWORDS: files.passwords,
            LOCK_FILE: path.join(dir, "deploy.lock"),
            DEPLOYED_MARKER: path.join(dir, "deployed-release"),
        });
        const attempt = (env: Record<string, string> = {}, mode = "create") =>
            runScript(script, [mode], env);
        const run = (env: Record<string, string> = {}, mode = "create") => {
            const r = attempt(env, mode);
            assert.equal(r.status, 0, r.stderr);
            const text = fs.readFileSync(files.passwords, "utf8");
            assert.equal(
                r.stdout,
                text,
                "stdout is passwords.yml itself, whole (the stack's copy)",
            );
            return YAML.parse(text) as Record<string, string>;
        };
        const leftovers = () =>
            fs
                .readdirSync(path.dirname(files.passwords))
                .filter((f) => f !== "passwords.yml" && !f.endsWith(".bak"));
        const backups = () =>
            fs
                .readdirSync(path.dirname(files.passwords))
                .filter((f) => /^passwords\.yml\.\d{8}T\d{6}\.bak$/.test(f));
        return {
            files,
            run,
            attempt,
            leftovers,
            backups,
            marker: path.join(dir, "deployed-release"),
        };
    }

    it("first run: the example's keys, blanks generated, the stack's password winning, 0600, nothing left beside it", () => {
        const { files, run, leftovers, backups } = setUp([
            "database_password",
            "keystone_admin_password",
            "rabbitmq_password",
        ]);
        const p = run();
        assert.deepEqual(Object.keys(p).sort(), [
            "database_password",
            "keystone_admin_password",
            "rabbitmq_password",
        ]);
        assert.equal(p.keystone_admin_password, "stack-owned");
        assert.match(p.database_password, /^[0-9a-f]{16}$/);
        assert.equal(mode(files.passwords), "0600");
        assert.deepEqual(leftovers(), []);
        assert.deepEqual(backups(), [], "nothing to back up on the first run");
    });

    it("a second run changes nothing and makes no backup", () => {
        const { files, run, backups } = setUp(["database_password", "keystone_admin_password"]);
        run();
        const before = fs.readFileSync(files.passwords, "utf8");
        run();
        assert.equal(fs.readFileSync(files.passwords, "utf8"), before);
        assert.deepEqual(backups(), []);
    });

    it("an upgrade's example adds its new keys and keeps every value; the previous file is kept as a dated 0600 backup", () => {
        const { files, run, backups } = setUp(["database_password", "keystone_admin_password"]);
        const before = run();
        const beforeText = fs.readFileSync(files.passwords, "utf8");
        fs.writeFileSync(
            files.example,
            "database_password:\nkeystone_admin_password:\nnew_service_password:\n",
        );
        const after = run();
        assert.equal(after.database_password, before.database_password);
        assert.equal(after.keystone_admin_password, "stack-owned");
        assert.match(after.new_service_password, /^[0-9a-f]{16}$/);
        assert.equal(mode(files.passwords), "0600");
        const [backup] = backups();
        assert.ok(backup, "a backup was made");
        assert.equal(
            fs.readFileSync(path.join(path.dirname(files.passwords), backup), "utf8"),
            beforeText,
        );
        assert.equal(mode(path.join(path.dirname(files.passwords), backup)), "0600");
    });

    it("a run killed while writing leaves passwords.yml whole, and the next run keeps every password", () => {
        const { files, run, attempt, leftovers } = setUp([
            "database_password",
            "keystone_admin_password",
            "rabbitmq_password",
            "nova_password",
        ]);
        const before = run();
        fs.writeFileSync(
            files.example,
            "database_password:\nkeystone_admin_password:\nrabbitmq_password:\nnova_password:\nnew_password:\n",
        );
        const killed = attempt({ MERGEPWD_DIE_AFTER: "40" });
        assert.notEqual(killed.status, 0);
        assert.deepEqual(YAML.parse(fs.readFileSync(files.passwords, "utf8")), before, "untouched");
        assert.deepEqual(leftovers(), [], "the work dir is removed");
        const after = run();
        for (const k of Object.keys(before)) assert.equal(after[k], before[k], k);
    });

    it("refuses to replace a file when the result would lose a key or change a value, naming the keys only", () => {
        const { files, run, attempt } = setUp(["database_password", "keystone_admin_password"]);
        const before = run();
        const text = fs.readFileSync(files.passwords, "utf8");
        const r = attempt({ GENPWD_REGENERATE: "1" });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /would change 1 existing values: database_password/);
        assert.match(r.stderr, /refusing to replace .*passwords\.yml/);
        assert.ok(!r.stderr.includes(before.database_password), "no value is printed");
        assert.equal(fs.readFileSync(files.passwords, "utf8"), text);
        // A key only the current file has (added by hand or by another tool) must survive a merge that drops it.
        fs.writeFileSync(files.passwords, `${text}handmade_password: keep-me\n`, { mode: 0o600 });
        const dropping = MERGEPWD.replace(
            "new.update(old)",
            "new.update({k: v for k, v in old.items() if k in new})",
        );
        fs.writeFileSync(
            path.join(path.dirname(files.example), "venv", "bin", "kolla-mergepwd"),
            `#!/usr/bin/env bash\nexec python3 -c '${dropping}' "$@"\n`,
            { mode: 0o755 },
        );
        const lost = attempt();
        assert.equal(lost.status, 1);
        assert.match(lost.stderr, /would lose 1 keys: handmade_password/);
    });

    it("a deploy host that lost passwords.yml while the cloud exists generates none, and says how to restore the stack's copy", () => {
        const { files, run, attempt } = setUp(["database_password", "keystone_admin_password"]);
        const before = run();
        const stackCopy = fs.readFileSync(files.passwords, "utf8");
        // The same host: the deployed-release marker says the cloud runs.
        fs.writeFileSync(path.join(path.dirname(files.example), "deployed-release"), "2023.1\n");
        fs.rmSync(files.passwords);
        for (const mode of ["create", "update"]) {
            const r = attempt({}, mode);
            assert.equal(r.status, 1, `${mode}: ${r.stdout}`);
            assert.match(
                r.stderr,
                /is missing on .*, but this stack's cloud exists \(.*deployed-release records release 2023\.1\)/,
            );
            assert.equal(r.stdout, "", "no passwords printed, so the stack keeps its copy");
            assert.ok(!fs.existsSync(files.passwords), "nothing generated");
        }
        // A re-installed deploy host: no marker, but the command ran before (an update).
        fs.rmSync(path.join(path.dirname(files.example), "deployed-release"));
        const r = attempt({}, "update");
        assert.equal(r.status, 1, r.stdout);
        assert.match(r.stderr, /this command made it before: the stack keeps a copy/);
        assert.match(
            r.stderr,
            /Restore the stack's copy, then run pulumi up again: pulumi stack output kollaPasswords --show-secrets \| ssh \S+@\S+ 'umask 077 && cat > \S+passwords\.yml'/,
        );
        assert.ok(!fs.existsSync(files.passwords), "nothing generated");
        // Restored as the message says: the merge goes on with every password as it was.
        fs.writeFileSync(files.passwords, stackCopy, { mode: 0o600 });
        assert.deepEqual(run({}, "update"), before);
    });

    it("prints passwords.yml on stdout and every message on stderr, also for kolla's own tools' warnings", () => {
        const { files, attempt } = setUp(["database_password", "keystone_admin_password"]);
        const first = attempt();
        assert.equal(first.status, 0, first.stderr);
        assert.equal(first.stdout, fs.readFileSync(files.passwords, "utf8"));
        assert.match(first.stderr, /passwords-merge: .*passwords\.yml holds 2 keys/);
        const again = attempt({}, "update");
        assert.equal(again.stdout, first.stdout);
        assert.match(again.stderr, /unchanged \(2 keys\)/);
    });

    it("refuses to run without the stack's overrides file, and passes shellcheck", () => {
        const { files, attempt } = setUp(["keystone_admin_password"]);
        fs.rmSync(files.overrides);
        const r = attempt();
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /passwords-override|is missing/);
    });
});

describe("passwords-override.yml", () => {
    it("overrides only the passwords the stack owns", () => {
        const p = { keystoneAdminPassword: "k-pass", octaviaKeystonePassword: "o-pass" };
        assert.deepEqual(YAML.parse(renderPasswordOverrides(p, stackSettings("aio"))), {
            keystone_admin_password: "k-pass",
            octavia_keystone_password: "o-pass",
        });
        assert.deepEqual(
            YAML.parse(renderPasswordOverrides(p, stackSettings("aio", { enableOctavia: false }))),
            { keystone_admin_password: "k-pass" },
        );
    });
});
