// The deployment's table of contents: every stage in order, each a component wired to the next by outputs.
// index.ts runs it with the stack's configuration; the tests run this same function under the mock runtime.
import { Secrets, Settings } from "./config";
import { Cloud } from "./components/cloud";
import { DeployHost } from "./components/hosts/deployHost";
import { TargetHosts } from "./components/hosts/targetHosts";
import { KollaDeployment } from "./components/kolla/kollaDeployment";
import { AmphoraBuild } from "./components/octavia/amphoraBuild";
import { DeployHostDocker } from "./components/registry/dockerHost";
import { KollaImageMirror } from "./components/registry/imageMirror";
import { LocalRegistry } from "./components/registry/localRegistry";
import { PriorDeployment } from "./config/hop";
import { kollaImages } from "./render/images";
import { aheadImages, hopFrom } from "./render/upgrade";

export interface Deployment {
    readonly deployHost: DeployHost;
    readonly docker: DeployHostDocker;
    readonly registry: LocalRegistry;
    readonly mirror: KollaImageMirror;
    readonly targets: TargetHosts;
    readonly kolla: KollaDeployment;
    readonly amphora?: AmphoraBuild;
    readonly cloud: Cloud;
}

/**
 * `prior`: what the stack's last run recorded (config/index.ts loadPriorDeployment). A release change from it is one
 * hop (config/hop.ts checked it): the hop's own steps join the stages, its images the mirror.
 */
export function deployOpenstack(
    settings: Settings,
    secrets: Secrets,
    prior: PriorDeployment = {},
): Deployment {
    const privateKey = secrets.sshPrivateKey;
    const hop = hopFrom(prior.release, settings);

    // 1: the deploy host: first contact (its SSH host key pinned for every later command), the deploy key, venv,
    // /etc/kolla. Every later stage waits for its first contact.
    const deployHost = new DeployHost("deploy-host", { settings, privateKey });
    const { connection } = deployHost;

    // 2–4: the deploy host's registry, filled with exactly the images the enabled services need.
    const docker = new DeployHostDocker("deploy-docker", {
        host: settings.deployHost,
        connection,
        hostKey: deployHost.hostKey,
    });
    const registry = new LocalRegistry("registry", {
        registry: settings.registry,
        managementAddress: settings.deployHost.managementAddress,
        provider: docker.provider,
        tls: deployHost.registryTls,
    });
    const mirror = new KollaImageMirror("kolla-images", {
        mode: settings.registry.mode,
        images: kollaImages(settings),
        // Ahead of kolla's own images: a hop's (RabbitMQ's version steps), the next release's when asked for.
        ahead: aheadImages(settings, hop),
        connection,
        localEndpoint: registry.localEndpoint,
        localNetwork: registry.localNetwork,
        registry: registry.container,
        provider: docker.provider,
    });

    // 5: the targets: first contact, early checks, the deploy key authorized (beside 2–4: only 1's key first).
    const targets = new TargetHosts("targets", {
        settings,
        privateKey,
        deployPublicKey: deployHost.publicKey,
    });

    // 6: the kolla-ansible lifecycle; 7: the amphora image builds beside it.
    const kolla = new KollaDeployment("kolla", {
        settings,
        connection,
        deployHostReady: deployHost.ready,
        adminPassword: deployHost.adminPassword,
        octaviaPassword: deployHost.octaviaPassword,
        targetsReady: targets.ready,
        targetHostKeys: targets.hostKeys,
        imagesMirrored: mirror,
        ...(hop ? { hop } : {}),
        ...(settings.registry.mode === "mirror"
            ? { mirroredDigests: { images: kollaImages(settings), digests: mirror.digests } }
            : {}),
    });
    const amphora = settings.services.octavia
        ? new AmphoraBuild("amphora", {
              settings,
              connection,
              toolsReady: deployHost.toolsReady,
              uploadsAfter: kolla.postDeploy,
          })
        : undefined;

    // 8: the cloud's first resources, through a provider built from post-deploy's outputs.
    const cloud = new Cloud("cloud", {
        settings,
        access: kolla.access,
        amphoraImageId: amphora?.imageId,
    });

    return { deployHost, docker, registry, mirror, targets, kolla, amphora, cloud };
}
