// Stage 1: Docker on the deploy host, and the @pulumi/docker provider that talks to it over ssh://.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { DeployHost, Settings } from "../config/settings";
import { remoteCommand, runScriptCommand, sshConnection } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

export interface DeployHostDockerArgs {
    host: DeployHost;
    privateKey: pulumi.Input<string>;
}

export function dockerInstallScript(host: DeployHost): Script {
    return renderScript("docker-install.sh", { SSH_USER: host.sshUser }, scriptBody("docker-install.sh"));
}

/**
 * ssh options for the docker CLI, which runs on the machine running Pulumi and authenticates with ssh-agent or
 * deployHost.dockerSshKeyPath. accept-new trusts the host key on first contact and refuses a changed one later.
 */
export function dockerSshOpts(host: DeployHost): string[] {
    const opts = ["-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=30"];
    return host.dockerSshKeyPath ? [...opts, "-i", host.dockerSshKeyPath, "-o", "IdentitiesOnly=yes"] : opts;
}

export class DeployHostDocker extends pulumi.ComponentResource {
    readonly installCommand: command.remote.Command;
    readonly provider: docker.Provider;
    /** The Docker server version on the deploy host. */
    readonly version: pulumi.Output<string>;

    constructor(name: string, args: DeployHostDockerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:deploy:DeployHostDocker", name, {}, opts);
        const script = dockerInstallScript(args.host);
        this.installCommand = remoteCommand(`${name}-install`, {
            connection: sshConnection(args.host, args.privateKey),
            create: runScriptCommand(),
            stdin: script.text,
        }, { parent: this, customTimeouts: { create: "20m", update: "20m" } });
        this.version = this.installCommand.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
        // The provider configures itself as soon as its args are known and ignores dependsOn: deriving `host` from
        // the install command's output is what makes it wait for Docker to exist.
        const { sshUser, address, sshPort } = args.host;
        this.provider = new docker.Provider(`${name}-provider`, {
            host: this.installCommand.stdout.apply(() => `ssh://${sshUser}@${address}:${sshPort}`),
            sshOpts: dockerSshOpts(args.host),
        }, { parent: this });
        this.registerOutputs({ version: this.version });
    }
}

export function renderedScripts(settings: Settings): Script[] {
    return [dockerInstallScript(settings.deployHost)];
}
