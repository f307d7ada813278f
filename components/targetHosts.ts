// Stage 4: each target host reachable, checked early, and the deploy host's key authorized on it.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Host, Settings } from "../config/settings";
import { remoteCommand, runScriptCommand, sshConnection } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

export interface TargetHostsArgs {
    settings: Settings;
    privateKey: pulumi.Input<string>;
    /** The deploy key's public half (an output of the deploy host's key generation). */
    deployPublicKey: pulumi.Input<string>;
}

export function waitReadyScript(): Script {
    return renderScript("wait-ready.sh", {}, scriptBody("wait-ready.sh"));
}

export function targetPrepareScript(settings: Settings, host: Host, deployPublicKey: string): Script {
    return renderScript(`target-prepare-${host.name}.sh`, {
        MGMT_IF: host.interfaces.management,
        API_IF: host.interfaces.api,
        EXT_IF: host.interfaces.external,
        MGMT_CIDR: settings.networks.management.cidr,
        API_CIDR: settings.networks.api.cidr,
        DEPLOY_PUBKEY: deployPublicKey,
    }, scriptBody("target-prepare.sh"));
}

export class TargetHosts extends pulumi.ComponentResource {
    /** The last command per host: kolla-ansible may reach it. */
    readonly ready: command.remote.Command[];

    constructor(name: string, args: TargetHostsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:hosts:TargetHosts", name, {}, opts);
        this.ready = args.settings.hosts.map((host) => {
            const connection = sshConnection(host, args.privateKey);
            const reachable = remoteCommand(`${name}-${host.name}-reachable`, {
                connection, create: runScriptCommand(), stdin: waitReadyScript().text,
            }, { parent: this, customTimeouts: { create: "20m" } });
            return remoteCommand(`${name}-${host.name}-prepare`, {
                connection,
                create: runScriptCommand(),
                stdin: pulumi.output(args.deployPublicKey).apply((key) => targetPrepareScript(args.settings, host, key.trim()).text),
            }, { parent: this, dependsOn: [reachable], customTimeouts: { create: "10m", update: "10m" } });
        });
        this.registerOutputs({});
    }
}

export function renderedScripts(settings: Settings): Script[] {
    return [waitReadyScript(), ...settings.hosts.map((h) => targetPrepareScript(settings, h, "ssh-ed25519 <deploy public key> openstack-aio-deploy"))];
}
