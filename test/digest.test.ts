// ansible-progress.py, the digest of a kolla-ansible run that Pulumi shows and keeps in the state: every form in
// which ansible prints a kolla password is redacted, run for real with python3 and PyYAML.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scriptBody } from "../render/script";
import { tempDir } from "./support/tools";

describe("the stage digest redacts every form of a password", () => {
    let dir: string;
    before(() => {
        dir = tempDir("digest-");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function digest(passwords: string, lines: string[]): string {
        const file = path.join(dir, "passwords.yml");
        fs.writeFileSync(file, passwords);
        const r = spawnSync("python3", ["-c", scriptBody("ansible-progress.py"), file], {
            input: lines.join("\n") + "\n",
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    }

    it("as is, JSON-escaped, base64, numeric and short (as whole tokens only)", () => {
        const quoted = 'Qu"ote\\back-slash-pw'; // YAML single-quoted below: the value has one backslash
        const out = digest(
            [
                "database_password: lOnGdatabasePassword0123456789",
                `odd_password: '${quoted}'`,
                "numeric_password: 987654321",
                "short_password: pw7",
                "ceph_key: c2VjcmV0LWtleS1tYXRlcmlhbA",
            ].join("\n") + "\n",
            [
                'fatal: [aio]: FAILED! => {"cmd": "mysql -plOnGdatabasePassword0123456789"}',
                `fatal: [aio]: FAILED! => {"msg": "bad ${JSON.stringify('Qu"ote\\back-slash-pw').slice(1, -1)}"}`,
                'fatal: [aio]: FAILED! => {"port": 987654321}',
                'fatal: [aio]: FAILED! => {"b64": "' +
                    Buffer.from("lOnGdatabasePassword0123456789").toString("base64") +
                    '"}',
                'fatal: [aio]: FAILED! => {"user": "pw7", "note": "pw77 and xpw7 are other words"}',
            ],
        );
        for (const secret of [
            "lOnGdatabasePassword0123456789",
            'Qu\\"ote',
            "987654321",
            Buffer.from("lOnGdatabasePassword0123456789").toString("base64"),
            '"pw7"',
        ]) {
            assert.ok(!out.includes(secret), `${secret} leaked:\n${out}`);
        }
        assert.match(
            out,
            /"user": "\*{8}", "note": "pw77 and xpw7 are other words"/,
            "a short value only as a whole token",
        );
        assert.equal((out.match(/\*{8}/g) ?? []).length, 5);
    });

    it("without a passwords file (before kolla-genpwd) passes lines through unredacted, never failing", () => {
        const r = spawnSync(
            "python3",
            ["-c", scriptBody("ansible-progress.py"), path.join(dir, "absent.yml")],
            { input: "PLAY [x] ***\nok: [aio]\n", encoding: "utf8" },
        );
        assert.equal(r.status, 0);
        assert.equal(r.stdout, "PLAY [x]\n");
    });
});
