// Stage 7: the Octavia amphora image, built on the deploy host beside the kolla deployment (not after it), and
// served from there so the image upload (through the OpenStack provider) can fetch it by URL.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { Settings } from "../config/settings";
import { DeployHost } from "./deployHost";
import { DeployHostDocker } from "./dockerHost";
import { kollaPaths, LOG_DIR, STATE_DIR } from "./kolla/paths";
import { remoteCommand, runScriptCommand } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

export const IMAGE_SERVER_IMAGE = "nginx:1.27.3-alpine";
export const IMAGE_SERVER_PORT = 8090;
/** The image server stops after this long: it is needed only while Glance's upload reads the image. */
export const IMAGE_SERVER_LIFETIME_SECONDS = 3 * 3600;
export const OCTAVIA_REPO = "https://opendev.org/openstack/octavia";

/** diskimage-create's host tools on Ubuntu: the packages it checks for (diskimage-create.sh at 2023.1-eom: qemu-utils,
 *  git, kpartx, debootstrap) plus diskimage-builder 3.25.0's bindep.txt for jammy and the venv it runs from. */
export const AMPHORA_HOST_PACKAGES = [
    "debootstrap", "qemu-utils", "git", "kpartx", "gdisk", "dosfstools", "binutils", "bzip2", "util-linux", "sudo",
    "curl", "uuid-runtime", "zstd", "procps", "inetutils-ping", "apt-transport-https", "lsb-release", "python3-venv",
] as const;

export function amphoraImageFile(settings: Settings): string {
    return `amphora-x64-haproxy-${settings.pins.octaviaRef}.qcow2`;
}

export function amphoraBuildScript(settings: Settings): Script {
    return renderScript("amphora-build.sh", {
        OCTAVIA_REPO,
        OCTAVIA_REF: settings.pins.octaviaRef,
        AMPHORA_AGENT_COMMIT: settings.pins.amphoraAgentCommit,
        OCTAVIA_LIB_COMMIT: settings.pins.octaviaLibCommit,
        HOST_PACKAGES: AMPHORA_HOST_PACKAGES,
        UPPER_CONSTRAINTS: settings.pins.upperConstraints,
        UBUNTU_RELEASE: settings.pins.ubuntuCodename,
        IMAGE_FILE: amphoraImageFile(settings),
        IMAGES_DIR: kollaPaths(settings.release).imagesDir,
        LOG_DIR,
        CACHE_DIR: `${STATE_DIR}/cache`,
        DIB_VENV: `${STATE_DIR}/dib-venv`,
    }, scriptBody("amphora-build.sh"));
}

export interface AmphoraBuildArgs {
    settings: Settings;
    deployHost: DeployHost;
    docker: DeployHostDocker;
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
            connection: args.deployHost.connection,
            create: runScriptCommand(),
            stdin: amphoraBuildScript(settings).text,
        }, { parent: this, dependsOn: [args.deployHost.toolsReady], customTimeouts: { create: "100m", update: "100m" } });

        const child = { parent: this, provider: args.docker.provider };
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

export function renderedScripts(settings: Settings): Script[] {
    return settings.services.octavia && settings.amphora.source === "build" ? [amphoraBuildScript(settings)] : [];
}
