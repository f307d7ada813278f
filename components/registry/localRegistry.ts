// Stage 3: the local registry (registry:2) on the deploy host, kolla's docker_registry.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Settings } from "../../config/settings";
import { REGISTRY_IMAGE } from "../../render/images";
import { LOCAL_REGISTRY, REGISTRY_CONTAINER } from "../../render/mirror";
import { REGISTRY_CERT_DIR } from "../../render/paths";
import { REGISTRY_CONTAINER_CERT_DIR, REGISTRY_TLS_ENV } from "../../render/registryTls";

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
    /** The fingerprint of the registry's certificate (DeployHost.registryTls): made before the containers serve it. */
    tls: pulumi.Input<string>;
}

export class LocalRegistry extends pulumi.ComponentResource {
    /** `<management address>:<port>`: what kolla pulls from (derived from the container, so users wait for it). */
    readonly address: pulumi.Output<string>;
    /** `127.0.0.1:5000` inside the writable registry's own network namespace: where the mirror pushes. */
    readonly localEndpoint: pulumi.Output<string>;
    /** `container:registry`: the network a copy joins to reach localEndpoint (docker run --network). */
    readonly localNetwork: pulumi.Output<string>;
    /** The writable registry: listening on its own loopback only, no port published (mirror mode). */
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
        // What the network sees is served over TLS from a CA this program owns (DeployHost's registry-tls: the targets
        // trust it through docker_registry_ca); the certificate's directory holds no CA key. The fingerprint label
        // recreates a container when its certificate is re-issued.
        const tls = {
            volumes: [
                ...volumes,
                {
                    hostPath: REGISTRY_CERT_DIR,
                    containerPath: REGISTRY_CONTAINER_CERT_DIR,
                    readOnly: true,
                },
            ],
            envs: [...REGISTRY_TLS_ENV],
            labels: [{ label: "openstack-aio.registry-certificate", value: args.tls }],
        };
        // Privileged kolla containers run what the targets pull from here: in mirror mode nothing but the mirror may
        // push. The writable registry publishes no port at all and listens on the loopback of its own network
        // namespace (distribution v2.8.3 http.addr, REGISTRY_HTTP_ADDR), which no packet from another host reaches
        // (Linux drops 127.0.0.0/8 arriving on any other interface unless route_localnet is set), whatever the Docker
        // version: unlike a port published on 127.0.0.1, which Docker before 28 let hosts on the same L2 network reach
        // (moby#45610). The mirror's skopeo joins that namespace (docker run --network container:registry). The
        // network gets a second registry on the same storage in maintenance read-only mode (distribution v2.8.3,
        // storage.maintenance.readonly). The whole `maintenance` map is set as one YAML value: the leaf variable
        // REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED yields a map[string]interface{}, and handlers/app.go then
        // panics "readonly config key must contain additional keys" (distribution/distribution#3765). Upload purging
        // is off there: it would try to delete from the read-only mount. A pull-through cache refuses pushes by
        // itself, so it serves the network directly.
        const readOnlyNetwork = mode === "mirror";
        this.container = new docker.Container(
            `${name}-container`,
            {
                name: REGISTRY_CONTAINER,
                // The image id, not the tag: a second `up` with the same image shows no diff.
                image: this.image.imageId,
                restart: "always",
                // Never 0.0.0.0; in mirror mode, no published port at all.
                ports: readOnlyNetwork
                    ? []
                    : [{ internal: REGISTRY_INTERNAL_PORT, external: port, ip: mgmt }],
                volumes: readOnlyNetwork ? volumes : tls.volumes,
                envs: [
                    "REGISTRY_STORAGE_DELETE_ENABLED=false",
                    ...(readOnlyNetwork
                        ? [`REGISTRY_HTTP_ADDR=${LOCAL_REGISTRY.endpoint}`]
                        : [`REGISTRY_PROXY_REMOTEURL=https://${source}`, ...tls.envs]),
                ],
                ...(readOnlyNetwork ? {} : { labels: tls.labels }),
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
                      volumes: [{ ...volumes[0], readOnly: true }, tls.volumes[1]],
                      envs: [
                          "REGISTRY_STORAGE_DELETE_ENABLED=false",
                          `REGISTRY_STORAGE_MAINTENANCE=${READ_ONLY_MAINTENANCE}`,
                          ...tls.envs,
                      ],
                      labels: tls.labels,
                  },
                  child,
              )
            : undefined;
        this.address = (this.readOnly ?? this.container).id.apply(() => `${mgmt}:${port}`);
        this.localEndpoint = this.container.id.apply(() => LOCAL_REGISTRY.endpoint);
        this.localNetwork = this.container.id.apply(() => LOCAL_REGISTRY.network);
        this.registerOutputs({
            address: this.address,
            localEndpoint: this.localEndpoint,
            localNetwork: this.localNetwork,
        });
    }
}
