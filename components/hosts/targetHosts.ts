// Stage 5: each target host reachable, checked early, and the deploy host's key authorized on it.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { qualified } from "../../config/keys";
import { Settings } from "../../config/settings";
import { KnownHost, targetPrepareScript } from "../../render/hosts";
import { remoteCommand, runScriptCommand } from "../remote";
import { firstContact } from "./firstContact";

export interface TargetHostsArgs {
    /** The targets, and what their checks compare against (networks, release). */
    settings: Settings;
    privateKey: pulumi.Input<string>;
    /** The deploy key's public half (an output of the deploy host's key generation). */
    deployPublicKey: pulumi.Input<string>;
}

export class TargetHosts extends pulumi.ComponentResource {
    /** The last command per host (checks passed, deploy key authorized): kolla-ansible may reach it. */
    readonly ready: command.remote.Command[];
    /** Each target's SSH host key (configured, or recorded on first contact), for Ansible's known_hosts. */
    readonly hostKeys: pulumi.Output<KnownHost[]>;
    /** Host name → its SSH host key (`<type> <base64>`), plain: a stack output a reviewer checks. */
    readonly hostKeysByName: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: TargetHostsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:hosts:TargetHosts", name, {}, opts);
        const { settings } = args;
        const contacts = settings.hosts.map((host, i) =>
            // Its own step so a host that is still booting shows up as "waiting", not as a failed check.
            firstContact(
                `${name}-${host.name}-reachable`,
                host,
                settings,
                `${qualified(`hosts[${i}]`)} (${host.name})`,
                args.privateKey,
                { parent: this },
            ),
        );
        // Host keys are public: plain, whatever secret the connection that recorded them holds.
        this.hostKeysByName = pulumi
            .unsecret(pulumi.all(contacts.map((c) => c.hostKey)))
            .apply((keys) => Object.fromEntries(settings.hosts.map((h, i) => [h.name, keys[i]])));
        this.hostKeys = pulumi.all(contacts.map((c) => c.hostKey)).apply((keys) =>
            settings.hosts.map((h, i) => ({
                address: h.address,
                sshPort: h.sshPort,
                hostKey: keys[i],
            })),
        );
        this.ready = settings.hosts.map((host, i) => {
            const { reachable, connection } = contacts[i];
            // The public key is an output of the deploy host: this step waits for it through stdin.
            return remoteCommand(
                `${name}-${host.name}-prepare`,
                {
                    connection,
                    create: runScriptCommand(),
                    stdin: pulumi
                        .output(args.deployPublicKey)
                        .apply((key) => targetPrepareScript(settings, host, key).text),
                },
                {
                    parent: this,
                    dependsOn: [reachable],
                    customTimeouts: { create: "10m", update: "10m" },
                },
            );
        });
        this.registerOutputs({ hostKeys: this.hostKeys, hostKeysByName: this.hostKeysByName });
    }
}
