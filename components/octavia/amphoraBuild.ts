// Stage 7: the Octavia amphora image, built on the deploy host beside the kolla deployment (not after it), and
// served from there so the image upload (through the OpenStack provider) can fetch it by URL.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import type * as commandInputs from "@pulumi/command/types/input";
import { Settings } from "../../config/settings";
import { amphoraBuildScript, amphoraImageFile, IMAGE_SERVER_LIFETIME_SECONDS, IMAGE_SERVER_PORT } from "../../render/amphora";
import { IMAGE_SERVER_IMAGE } from "../../render/images";
import { kollaPaths } from "../../render/paths";
import { remoteCommand, runScriptCommand } from "../remote";

export interface AmphoraBuildArgs {
    /** The octavia pins, the release and the deploy host's addresses. */
    settings: Settings;
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    /** The venv and clients installed (DeployHost.toolsReady): all the build needs. */
    toolsReady: pulumi.Resource;
    /** Docker on the deploy host (DeployHostDocker.provider), which runs the image server. */
    provider: docker.Provider;
}

export class AmphoraBuild extends pulumi.ComponentResource {
    readonly build: command.remote.Command;
    readonly server: docker.Container;
    /** Where the built image can be fetched (the server on the deploy host), known once the build is done. */
    readonly imageUrl: pulumi.Output<string>;
    readonly sha256: pulumi.Output<string>;
    /** What Glance must report as the uploaded image's checksum (it computes md5). */
    readonly md5: pulumi.Output<string>;

    constructor(name: string, args: AmphoraBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:octavia:AmphoraBuild", name, {}, opts);
        const { settings } = args;
        const imagesDir = kollaPaths(settings.release).imagesDir;
        // Needs only the deploy host's tools: it runs while kolla-ansible deploys.
        this.build = remoteCommand(`${name}-build`, {
            connection: args.connection,
            create: runScriptCommand(),
            stdin: amphoraBuildScript(settings).text,
        }, { parent: this, dependsOn: [args.toolsReady], customTimeouts: { create: "100m", update: "100m" } });

        const child = { parent: this, provider: args.provider };
        const last = this.build.stdout.apply((out) => (out.trim().split("\n").pop() ?? "").split(" "));
        this.sha256 = last.apply((parts) => parts[1] ?? "");
        this.md5 = last.apply((parts) => parts[2] ?? "");
        const image = new docker.RemoteImage(`${name}-server-image`, { name: IMAGE_SERVER_IMAGE, keepLocally: true }, child);
        const addresses = [...new Set([settings.deployHost.managementAddress, settings.deployHost.address])];
        // Serves the image only while Glance reads it: nginx under `timeout`, not restarted, and no diff once it has
        // stopped (mustRun false). A new build changes AMPHORA_SHA256, which replaces the container: a new window.
        this.server = new docker.Container(`${name}-server`, {
            name: "openstack-aio-images",
            image: image.imageId,
            restart: "no",
            mustRun: false,
            command: ["timeout", String(IMAGE_SERVER_LIFETIME_SECONDS), "nginx", "-g", "daemon off;"],
            envs: [pulumi.interpolate`AMPHORA_SHA256=${this.sha256}`],
            ports: addresses.map((ip) => ({ internal: 80, external: IMAGE_SERVER_PORT, ip })),
            volumes: [{ hostPath: imagesDir, containerPath: "/usr/share/nginx/html", readOnly: true }],
        }, { ...child, dependsOn: [this.build] });
        // The URL names the bytes (by-sha256/<sha256>/<file>): nothing else on the deploy host can be served in their place.
        this.imageUrl = pulumi.all([this.server.id, last]).apply(([, parts]) =>
            `http://${settings.deployHost.address}:${IMAGE_SERVER_PORT}/${parts[0] || amphoraImageFile(settings)}`);
        this.registerOutputs({ imageUrl: this.imageUrl, sha256: this.sha256, md5: this.md5 });
    }
}
