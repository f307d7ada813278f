// Stage 7: the Octavia amphora image, built on the deploy host beside the kolla deployment (not after it), and
// served from there so the image upload (through the OpenStack provider) can fetch it by URL.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";
import { Settings } from "../../config/settings";
import {
    amphoraBuildScript,
    amphoraImageFile,
    IMAGE_SERVER_PORT,
    imageServerScript,
} from "../../render/amphora";
import { remoteCommand, runScriptCommand } from "../remote";

export interface AmphoraBuildArgs {
    /** The octavia pins, the release and the deploy host's addresses. */
    settings: Settings;
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    /** The venv and clients installed (DeployHost.toolsReady): all the build needs. */
    toolsReady: pulumi.Resource;
    /** The deployment's post-deploy (KollaDeployment.postDeploy): the serving window opens once Glance can upload. */
    servesAfter: pulumi.Resource;
}

export class AmphoraBuild extends pulumi.ComponentResource {
    readonly build: command.remote.Command;
    /** Serves the image for a few hours (python3's http.server in a transient systemd unit). */
    readonly server: command.remote.Command;
    /** Where the built image can be fetched (the server on the deploy host), known once the build is done. */
    readonly imageUrl: pulumi.Output<string>;
    readonly sha256: pulumi.Output<string>;
    /** What Glance must report as the uploaded image's checksum (it computes md5). */
    readonly md5: pulumi.Output<string>;

    constructor(name: string, args: AmphoraBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:octavia:AmphoraBuild", name, {}, opts);
        const { settings } = args;
        // Needs only the deploy host's tools: it runs while kolla-ansible deploys.
        this.build = remoteCommand(
            `${name}-build`,
            {
                connection: args.connection,
                create: runScriptCommand(),
                stdin: amphoraBuildScript(settings).text,
            },
            {
                parent: this,
                dependsOn: [args.toolsReady],
                customTimeouts: { create: "100m", update: "100m" },
            },
        );

        // The build's last line: "<path under the images dir> <sha256> <md5>".
        const last = this.build.stdout.apply((out) =>
            (out.trim().split("\n").pop() ?? "").split(" "),
        );
        const served = last.apply((parts) => parts[0] || amphoraImageFile(settings));
        this.sha256 = last.apply((parts) => parts[1] ?? "");
        this.md5 = last.apply((parts) => parts[2] ?? "");
        // Serves the image only while Glance reads it, then stops by itself; opened once the cloud exists, so a
        // deployment that takes hours does not use the window up. A new build (another sha256) or a --replace
        // replaces this command delete-first: the old window stops before the new one opens, and no delete can stop
        // the window of its own replacement (both windows of one build share their unit names).
        this.server = remoteCommand(
            `${name}-server`,
            {
                connection: args.connection,
                create: runScriptCommand("create"),
                delete: runScriptCommand("delete"),
                stdin: pulumi
                    .all([served, this.sha256])
                    .apply(([path, sha]) => imageServerScript(settings, path, sha).text),
                triggers: [this.sha256],
            },
            {
                parent: this,
                dependsOn: [args.servesAfter],
                deleteBeforeReplace: true,
                customTimeouts: { create: "5m", update: "5m", delete: "5m" },
            },
        );
        // The URL names the bytes (by-sha256/<sha256>/<file>): nothing else on the deploy host can be served in their place.
        this.imageUrl = pulumi
            .all([this.server.stdout, served])
            .apply(
                ([, path]) => `http://${settings.deployHost.address}:${IMAGE_SERVER_PORT}/${path}`,
            );
        this.registerOutputs({ imageUrl: this.imageUrl, sha256: this.sha256, md5: this.md5 });
    }
}
