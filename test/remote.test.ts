// components/remote.ts: the SSH connection and the defaults every remote.Command of the program shares.
import { strict as assert } from "assert";
import { remoteCommand, runScriptCommand, sshConnection } from "../components/remote";
import { runProgram } from "../tools/evaluate/harness";
import { TEST_PRIVATE_KEY } from "../tools/evaluate/stack";

const host = { address: "10.0.0.5", sshUser: "ubuntu", sshPort: 2222 };
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Rob3N0a2V5";

interface Connection {
    host: string;
    port: number;
    user: string;
    privateKey: string;
    dialErrorLimit: number;
    perDialTimeout: number;
    hostKey?: string;
}

describe("remote commands: connection and shared defaults", () => {
    it("connects as the host's user and port, the key a secret; first contact retries dials for about ten minutes", async () => {
        const g = await runProgram(() => {
            remoteCommand("c", {
                connection: sshConnection(host, TEST_PRIVATE_KEY, undefined, "first-contact"),
                create: runScriptCommand(),
            });
        });
        const c = g.get("c", "command:remote:Command");
        assert.ok(c.secretPaths.includes("connection"), "the connection carries a secret");
        const connection = c.inputs.connection as Connection;
        const {
            host: address,
            port,
            user,
            privateKey,
            dialErrorLimit,
            perDialTimeout,
        } = connection;
        assert.deepEqual([address, port, user], ["10.0.0.5", 2222, "ubuntu"]);
        assert.equal(privateKey, TEST_PRIVATE_KEY);
        assert.equal(dialErrorLimit * perDialTimeout, 600, "40 dials of 15 s");
        assert.equal("hostKey" in connection, false, "no key yet: first contact");
        // addPreviousOutputInEnv would need AcceptEnv on the host's sshd.
        assert.equal(c.inputs.addPreviousOutputInEnv, false);
        assert.equal(c.inputs.create, "bash -s");
    });

    it("pins the host key when one is known, and runs scripts with their mode as bash -s -- <mode>", async () => {
        const g = await runProgram(() => {
            remoteCommand("c", {
                connection: sshConnection(host, TEST_PRIVATE_KEY, HOST_KEY),
                create: runScriptCommand("create"),
            });
        });
        const c = g.get("c", "command:remote:Command");
        assert.equal((c.inputs.connection as Connection).hostKey, HOST_KEY);
        assert.equal(c.inputs.create, "bash -s -- create");
    });
});
