// Stage 3: one registry-to-registry copy per kolla image the enabled services need, on the deploy host.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { Settings } from "../config/settings";
import { DeployHostDocker } from "./dockerHost";
import { KollaImage, kollaImages } from "./images";
import { LocalRegistry } from "./registry";
import type * as commandInputs from "@pulumi/command/types/input";
import { remoteCommand, runScriptCommand } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

/** Pinned skopeo, run as a container so the deploy host needs nothing but Docker. */
export const SKOPEO_IMAGE = "quay.io/skopeo/stable:v1.16.1";

export function mirrorScript(image: KollaImage, localEndpoint: string, skopeoImage: string): Script {
    return renderScript(`mirror-image-${image.name}.sh`, {
        SOURCE: image.source,
        DEST: `${localEndpoint}/${image.path}`,
        SKOPEO_IMAGE: skopeoImage,
    }, scriptBody("mirror-image.sh"));
}

export interface KollaImageMirrorArgs {
    settings: Settings;
    images: KollaImage[];
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    registry: LocalRegistry;
    docker: DeployHostDocker;
}

export class KollaImageMirror extends pulumi.ComponentResource {
    /** Image name → mirrored manifest digest. */
    readonly digests: pulumi.Output<Record<string, string>>;
    /** Images copied into the registry (0 in pull-through mode, where kolla pulls through the cache). */
    readonly count: number;
    readonly copies: command.remote.Command[];

    constructor(name: string, args: KollaImageMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:registry:KollaImageMirror", name, {}, opts);
        const { settings, images, registry } = args;
        this.copies = [];
        if (settings.registry.mode === "mirror") {
            const skopeo = new docker.RemoteImage(`${name}-skopeo`, { name: SKOPEO_IMAGE, keepLocally: true }, { parent: this, provider: args.docker.provider });
            const connection = args.connection;
            for (const image of images) {
                // Images are independent: the engine copies them in parallel. Each waits only for the registry
                // container (through localEndpoint) and skopeo (through its image id).
                const script = pulumi.all([registry.localEndpoint, skopeo.imageId]).apply(([endpoint, skopeoId]) => mirrorScript(image, endpoint, skopeoId).text);
                this.copies.push(remoteCommand(`${name}-${image.name}`, {
                    connection,
                    create: runScriptCommand(),
                    stdin: script,
                }, { parent: this, dependsOn: [registry.container], customTimeouts: { create: "45m", update: "45m" } }));
            }
        }
        this.count = this.copies.length;
        const names = settings.registry.mode === "mirror" ? images.map((i) => i.name) : [];
        this.digests = pulumi.all(this.copies.map((c) => c.stdout)).apply((outs) =>
            Object.fromEntries(outs.map((o, i) => [names[i], o.trim().split("\n").pop() ?? ""])));
        this.registerOutputs({ digests: this.digests, count: this.count });
    }
}

/** Scripts for review (`npm run render`): the skopeo image as its pinned tag, the endpoint as on the host. */
export function renderedScripts(settings: Settings): Script[] {
    if (settings.registry.mode !== "mirror") return [];
    return kollaImages(settings).map((i) => mirrorScript(i, `127.0.0.1:${settings.registry.port}`, SKOPEO_IMAGE));
}
