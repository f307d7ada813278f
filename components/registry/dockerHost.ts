// Stage 2: Docker on the deploy host, and the @pulumi/docker provider that talks to it over ssh://.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import type * as commandInputs from "@pulumi/command/types/input";
import { DeployHost } from "../../config/settings";
import { dockerInstallScript, dockerSshOpts } from "../../render/dockerHost";
import { remoteCommand, runScriptCommand } from "../remote";

export interface DeployHostDockerArgs {
    host: DeployHost;
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    /** `<type> <base64>` of the deploy host's SSH key: the docker CLI's ssh accepts only it. */
    hostKey: pulumi.Input<string>;
}

export class DeployHostDocker extends pulumi.ComponentResource {
    readonly installCommand: command.remote.Command;
    readonly provider: docker.Provider;
    /** The Docker server version on the deploy host. */
    readonly version: pulumi.Output<string>;

    constructor(name: string, args: DeployHostDockerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:deploy:DeployHostDocker", name, {}, opts);
        const script = dockerInstallScript(args.host);
        this.installCommand = remoteCommand(
            `${name}-install`,
            {
                connection: args.connection,
                create: runScriptCommand(),
                stdin: script.text,
            },
            { parent: this, customTimeouts: { create: "20m", update: "20m" } },
        );
        this.version = this.installCommand.stdout.apply(
            (out) => out.trim().split("\n").pop() ?? "",
        );
        // The provider configures itself as soon as its args are known and ignores dependsOn: deriving `host` from
        // the install command's output is what makes it wait for Docker to exist.
        const { sshUser, address, sshPort } = args.host;
        this.provider = new docker.Provider(
            `${name}-provider`,
            {
                host: this.installCommand.stdout.apply(
                    () => `ssh://${sshUser}@${address}:${sshPort}`,
                ),
                sshOpts: pulumi.output(args.hostKey).apply((key) => dockerSshOpts(args.host, key)),
            },
            { parent: this },
        );
        this.registerOutputs({ version: this.version });
    }
}
