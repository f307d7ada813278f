// Stage 3: the local registry (registry:2) on the deploy host, kolla's docker_registry.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Settings } from "../../config/settings";
import { REGISTRY_IMAGE } from "../../render/images";

const REGISTRY_INTERNAL_PORT = 5000;
/** registry:2's `storage.maintenance` for the network-facing, read-only registry (see LocalRegistry). */
export const READ_ONLY_MAINTENANCE = JSON.stringify({
    uploadpurging: { enabled: false },
    readonly: { enabled: true },
});

export interface LocalRegistryArgs {
    /** Port, mode and source (settings.registry). */
    registry: Settings["registry"];
    /** The deploy host's management address: where the targets pull from. */
    managementAddress: string;
    /** Docker on the deploy host (DeployHostDocker.provider). */
    provider: docker.Provider;
}

export class LocalRegistry extends pulumi.ComponentResource {
    /** `<management address>:<port>`: what kolla pulls from (derived from the container, so users wait for it). */
    readonly address: pulumi.Output<string>;
    /** `127.0.0.1:<port>`: where the mirror pushes, on the deploy host itself. */
    readonly localEndpoint: pulumi.Output<string>;
    /** The writable registry, on 127.0.0.1 only: the mirror pushes from the deploy host itself. */
    readonly container: docker.Container;
    /** What the network sees (mirror mode): the same storage, read-only, on the management address. */
    readonly readOnly?: docker.Container;
    readonly volume: docker.Volume;
    readonly image: docker.RemoteImage;

    constructor(name: string, args: LocalRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:registry:LocalRegistry", name, {}, opts);
        const { provider } = args;
        const { port, mode, source } = args.registry;
        const mgmt = args.managementAddress;
        const child = { parent: this, provider };

        this.image = new docker.RemoteImage(
            `${name}-image`,
            { name: REGISTRY_IMAGE, keepLocally: true },
            child,
        );
        // Mirrored images live here: never destroyed or replaced by Pulumi, and kept if the stack lets go of it.
        this.volume = new docker.Volume(
            `${name}-data`,
            { name: "openstack-aio-registry" },
            { ...child, protect: true, retainOnDelete: true },
        );
        const volumes = [{ volumeName: this.volume.name, containerPath: "/var/lib/registry" }];
        // Privileged kolla containers run what the targets pull from here: in mirror mode nothing on the network may
        // push. The writable registry listens on loopback only (the mirror runs on this host); the network gets a
        // second registry on the same storage in maintenance read-only mode (distribution v2.8.3,
        // storage.maintenance.readonly). The whole `maintenance` map is set as one YAML value: the leaf variable
        // REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED yields a map[string]interface{}, and handlers/app.go then
        // panics "readonly config key must contain additional keys" (distribution/distribution#3765). Upload purging
        // is off there: it would try to delete from the read-only mount. A pull-through cache refuses pushes by
        // itself, so it serves both.
        const readOnlyNetwork = mode === "mirror";
        this.container = new docker.Container(
            `${name}-container`,
            {
                name: "registry",
                // The image id, not the tag: a second `up` with the same image shows no diff.
                image: this.image.imageId,
                restart: "always",
                // Never 0.0.0.0.
                ports: (readOnlyNetwork ? ["127.0.0.1"] : [mgmt, "127.0.0.1"]).map((ip) => ({
                    internal: REGISTRY_INTERNAL_PORT,
                    external: port,
                    ip,
                })),
                volumes,
                envs: [
                    "REGISTRY_STORAGE_DELETE_ENABLED=false",
                    ...(mode === "pull-through"
                        ? [`REGISTRY_PROXY_REMOTEURL=https://${source}`]
                        : []),
                ],
            },
            child,
        );
        this.readOnly = readOnlyNetwork
            ? new docker.Container(
                  `${name}-readonly`,
                  {
                      name: "registry-readonly",
                      image: this.image.imageId,
                      restart: "always",
                      ports: [{ internal: REGISTRY_INTERNAL_PORT, external: port, ip: mgmt }],
                      volumes: [{ ...volumes[0], readOnly: true }],
                      envs: [
                          "REGISTRY_STORAGE_DELETE_ENABLED=false",
                          `REGISTRY_STORAGE_MAINTENANCE=${READ_ONLY_MAINTENANCE}`,
                      ],
                  },
                  child,
              )
            : undefined;
        this.address = (this.readOnly ?? this.container).id.apply(() => `${mgmt}:${port}`);
        this.localEndpoint = this.container.id.apply(() => `127.0.0.1:${port}`);
        this.registerOutputs({ address: this.address, localEndpoint: this.localEndpoint });
    }
}
