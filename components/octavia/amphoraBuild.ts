// Stage 7: the Octavia amphora image. Built on the deploy host beside the kolla deployment (not after it), or fetched
// there over https and checked against its sha256; then uploaded into Glance by the deploy host itself, as octavia,
// and tagged `amphora` (what Octavia boots) only once Glance's own checksums match the file's. Nothing serves the file.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";
import { Settings } from "../../config/settings";
import { amphoraSourceScript, amphoraUploadScript, buildsAmphora } from "../../render/amphora";
import { remoteCommand, runScriptCommand } from "../remote";

export interface AmphoraBuildArgs {
    /** The amphora source (build or url), the octavia pins, the release and TLS. */
    settings: Settings;
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    /** The venv and clients installed (DeployHost.toolsReady): all the build needs. */
    toolsReady: pulumi.Resource;
    /** The deployment's post-deploy (KollaDeployment.postDeploy): Glance runs and octavia-openrc.sh exists. */
    uploadsAfter: pulumi.Resource;
}

export class AmphoraBuild extends pulumi.ComponentResource {
    /** amphora-build.sh (amphoraSource build) or amphora-fetch.sh (url): the file on the deploy host. */
    readonly build: command.remote.Command;
    /** Uploads, verifies, tags; replaced for new bytes (created first, so the old image goes only once the new one is tagged). */
    readonly upload: command.remote.Command;
    /** sha256 of the image's bytes. */
    readonly sha256: pulumi.Output<string>;
    /** The Glance image Octavia boots, known once Glance's checksums matched and it was tagged. */
    readonly imageId: pulumi.Output<string>;

    constructor(name: string, args: AmphoraBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:octavia:AmphoraBuild", name, {}, opts);
        const { settings } = args;
        // Needs only the deploy host's tools: it runs while kolla-ansible deploys.
        this.build = remoteCommand(
            `${name}-${buildsAmphora(settings) ? "build" : "fetch"}`,
            {
                connection: args.connection,
                create: runScriptCommand(),
                stdin: amphoraSourceScript(settings).text,
            },
            {
                parent: this,
                dependsOn: [args.toolsReady],
                customTimeouts: { create: "100m", update: "100m" },
            },
        );

        // The last line: "<file on the deploy host> <sha256>".
        const last = this.build.stdout.apply((out) =>
            (out.trim().split("\n").pop() ?? "").split(" "),
        );
        const file = last.apply((parts) => parts[0] ?? "");
        this.sha256 = last.apply((parts) => parts[1] ?? "");
        this.upload = remoteCommand(
            `${name}-upload`,
            {
                connection: args.connection,
                create: runScriptCommand("create"),
                update: runScriptCommand("update"),
                delete: runScriptCommand("delete"),
                stdin: pulumi
                    .all([file, this.sha256])
                    .apply(([f, sha]) => amphoraUploadScript(settings, f, sha).text),
                // New bytes, a new image: the replacement uploads and tags it before the old one's delete removes it.
                triggers: [this.sha256],
            },
            {
                parent: this,
                dependsOn: [args.uploadsAfter],
                customTimeouts: { create: "30m", update: "30m", delete: "10m" },
            },
        );
        this.imageId = this.upload.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
        this.registerOutputs({ sha256: this.sha256, imageId: this.imageId });
    }
}
