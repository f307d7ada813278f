// Stage 4: each target host reachable, checked early, and the deploy host's key authorized on it.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Host, Settings } from "../config/settings";
import { qualified } from "../config/keys";
import { firstContact, waitReadyScript } from "./firstContact";
import { remoteCommand, runScriptCommand } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

export interface TargetHostsArgs {
    settings: Settings;
    privateKey: pulumi.Input<string>;
    /** The deploy key's public half (an output of the deploy host's key generation). */
    deployPublicKey: pulumi.Input<string>;
}

/** What the review copy (`npm run render`) shows in place of the key generated at `pulumi up`. */
export const PUBLIC_KEY_PLACEHOLDER = "ssh-ed25519 AAAA<deploy-public-key-generated-on-the-deploy-host> openstack-aio-deploy";

/** Checks one target and authorizes the deploy key; messages name the config key to fix. */
export function targetPrepareScript(settings: Settings, host: Host, deployPublicKey: string): Script {
    const index = settings.hosts.findIndex((h) => h.name === host.name);
    if (index < 0) throw new Error(`host ${host.name} is not in openstack-aio:hosts`);
    return renderScript(`target-prepare-${host.name}.sh`, {
        HOST_NAME: host.name,
        HOST_KEY: qualified(`hosts[${index}]`),
        HOST_ADDRESS: host.address,
        API_ADDRESS: host.apiAddress ?? "",
        MGMT_IF: host.interfaces.management,
        API_IF: host.interfaces.api,
        EXT_IF: host.interfaces.external,
        TUNNEL_IF: host.interfaces.tunnel,
        MGMT_CIDR: settings.networks.management.cidr,
        API_CIDR: settings.networks.api.cidr,
        RELEASE: settings.release,
        UBUNTU_CODENAME: settings.pins.ubuntuCodename,
        OS_RELEASE: "/etc/os-release",
        DEPLOY_PUBKEY: deployPublicKey.trim(),
    }, scriptBody("target-prepare.sh"));
}

export class TargetHosts extends pulumi.ComponentResource {
    /** The last command per host (checks passed, deploy key authorized): kolla-ansible may reach it. */
    readonly ready: command.remote.Command[];
    /** Each target's SSH host key (configured, or recorded on first contact), for Ansible's known_hosts. */
    readonly hostKeys: pulumi.Output<{ address: string; sshPort: number; hostKey: string }[]>;

    constructor(name: string, args: TargetHostsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:hosts:TargetHosts", name, {}, opts);
        const { settings } = args;
        const contacts = settings.hosts.map((host) =>
            // Its own step so a host that is still booting shows up as "waiting", not as a failed check.
            firstContact(`${name}-${host.name}-reachable`, host, args.privateKey, { parent: this }));
        this.hostKeys = pulumi.all(contacts.map((c) => c.hostKey)).apply((keys) =>
            settings.hosts.map((h, i) => ({ address: h.address, sshPort: h.sshPort, hostKey: keys[i] })));
        this.ready = settings.hosts.map((host, i) => {
            const { reachable, connection } = contacts[i];
            // The public key is an output of the deploy host: this step waits for it through stdin.
            return remoteCommand(`${name}-${host.name}-prepare`, {
                connection,
                create: runScriptCommand(),
                stdin: pulumi.output(args.deployPublicKey).apply((key) => targetPrepareScript(settings, host, key).text),
            }, { parent: this, dependsOn: [reachable], customTimeouts: { create: "10m", update: "10m" } });
        });
        this.registerOutputs({ hostKeys: this.hostKeys });
    }
}

export function renderedScripts(settings: Settings): Script[] {
    return [waitReadyScript(), ...settings.hosts.map((h) => targetPrepareScript(settings, h, PUBLIC_KEY_PLACEHOLDER))];
}
