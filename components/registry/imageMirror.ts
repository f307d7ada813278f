// Stage 4: one registry-to-registry copy per kolla image the enabled services need, on the deploy host.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import type * as commandInputs from "@pulumi/command/types/input";
import { RegistryMode } from "../../config/settings";
import { KollaImage, SKOPEO_IMAGE } from "../../render/images";
import { mirrorScript, mirrorWaits, mirrorWave } from "../../render/mirror";
import { remoteCommand, runScriptCommand } from "../remote";

export interface KollaImageMirrorArgs {
    /** mirror: copy every image; pull-through: nothing to copy (kolla pulls through the registry's cache). */
    mode: RegistryMode;
    /** The images kolla runs: copied, their digests recorded (what verify-images checks on the targets). */
    images: readonly KollaImage[];
    /** Images copied ahead of a hop (render/upgrade.ts): the hop's own (RabbitMQ's version steps) and, with
     *  mirrorNextRelease, the next release's. Named by tag as well, since a next release's image shares its name. */
    ahead?: readonly KollaImage[];
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    /** Where the copies push, on the deploy host (LocalRegistry.localEndpoint), from its network (localNetwork). */
    localEndpoint: pulumi.Output<string>;
    localNetwork: pulumi.Output<string>;
    /** The writable registry container (LocalRegistry.container). */
    registry: pulumi.Resource;
    /** Docker on the deploy host (DeployHostDocker.provider), which pulls the skopeo image. */
    provider: docker.Provider;
}

export class KollaImageMirror extends pulumi.ComponentResource {
    /** Image name → mirrored manifest digest. */
    readonly digests: pulumi.Output<Record<string, string>>;
    /** Images copied into the registry (0 in pull-through mode, where kolla pulls through the cache). */
    readonly count: number;
    readonly copies: command.remote.Command[];
    /** The copies made ahead of a hop (KollaImageMirrorArgs.ahead). */
    readonly ahead: command.remote.Command[] = [];

    constructor(name: string, args: KollaImageMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:registry:KollaImageMirror", name, {}, opts);
        const images = args.mode === "mirror" ? args.images : [];
        const ahead = args.mode === "mirror" ? (args.ahead ?? []) : [];
        const copies: { image: KollaImage; copy: command.remote.Command }[] = [];
        if (images.length + ahead.length > 0) {
            const skopeo = new docker.RemoteImage(
                `${name}-skopeo`,
                { name: SKOPEO_IMAGE, keepLocally: true },
                { parent: this, provider: args.provider },
            );
            // One set of copies, each named by `key`, in mirrorWaits' three waves.
            const copySet = (set: readonly KollaImage[], key: (i: KollaImage) => string) => {
                const waits = mirrorWaits(set.map((i) => i.name));
                const byName = new Map<string, command.remote.Command>();
                const made: { image: KollaImage; copy: command.remote.Command }[] = [];
                // Created lead first, then each family's first image, then the rest, so every wait names a created copy.
                for (const image of [...set].sort(
                    (a, b) => mirrorWave(waits, a.name) - mirrorWave(waits, b.name),
                )) {
                    // Each copy waits for the registry container (through localEndpoint), skopeo (through its image
                    // id) and the copy that brings its shared layers (mirrorWaits); within a wave the engine runs
                    // them in parallel.
                    const script = pulumi
                        .all([args.localEndpoint, args.localNetwork, skopeo.imageId])
                        .apply(
                            ([endpoint, network, skopeoId]) =>
                                mirrorScript(image, { endpoint, network }, skopeoId).text,
                        );
                    const after = byName.get(waits.get(image.name) ?? "");
                    const copy = remoteCommand(
                        `${name}-${key(image)}`,
                        {
                            connection: args.connection,
                            create: runScriptCommand(),
                            stdin: script,
                        },
                        {
                            parent: this,
                            dependsOn: [args.registry, ...(after ? [after] : [])],
                            customTimeouts: { create: "45m", update: "45m" },
                        },
                    );
                    byName.set(image.name, copy);
                    made.push({ image, copy });
                }
                return made;
            };
            copies.push(...copySet(images, (i) => i.name));
            // Ahead of a hop, by tag: each tag's images are one set (they share their layers with each other).
            for (const tag of [...new Set(ahead.map((i) => i.tag))]) {
                this.ahead.push(
                    ...copySet(
                        ahead.filter((i) => i.tag === tag),
                        (i) => `${i.tag}-${i.name}`,
                    ).map((c) => c.copy),
                );
            }
        }
        // In the images' own order, whatever order they were created in.
        copies.sort((a, b) => images.indexOf(a.image) - images.indexOf(b.image));
        this.copies = copies.map((c) => c.copy);
        this.count = this.copies.length;
        this.digests = pulumi
            .all(copies.map((c) => c.copy.stdout))
            .apply((outs) =>
                Object.fromEntries(
                    outs.map((o, i) => [copies[i].image.name, o.trim().split("\n").pop() ?? ""]),
                ),
            );
        this.registerOutputs({ digests: this.digests, count: this.count });
    }
}
