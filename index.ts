// openstack-aio: bare Ubuntu hosts → OpenStack 2023.1 (kolla-ansible) → first networks and images.
// The table of contents: load config, build the stages in order, export what other stacks consume.
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { AmphoraBuild } from "./components/amphora";
import { Cloud } from "./components/cloud";
import { DeployHost } from "./components/deployHost";
import { DeployHostDocker } from "./components/dockerHost";
import { kollaImages } from "./components/images";
import { KollaImageMirror } from "./components/imageMirror";
import { KollaDeployment } from "./components/kollaDeployment";
import { LocalRegistry } from "./components/registry";
import { TargetHosts } from "./components/targetHosts";

const { settings, secrets } = loadConfig();
const privateKey = secrets.sshPrivateKey;

// The deploy host: first contact (its SSH host key pinned for every later command), venv, /etc/kolla.
const deployHost = new DeployHost("deploy-host", { settings, privateKey });
const { connection } = deployHost;

// 1–3: the deploy host's registry, filled with exactly the images the enabled services need.
const docker = new DeployHostDocker("deploy-docker", { host: settings.deployHost, connection, hostKey: deployHost.hostKey });
const registry = new LocalRegistry("registry", { settings, provider: docker.provider });
const mirror = new KollaImageMirror("kolla-images", { settings, images: kollaImages(settings), connection, registry, docker });

// 4–5: the targets: first contact, early checks, the deploy key.
const targets = new TargetHosts("targets", { settings, privateKey, deployPublicKey: deployHost.publicKey });

// 6: the kolla-ansible lifecycle; 7: the amphora image builds beside it.
const kolla = new KollaDeployment("kolla", { settings, deployHost, targets, mirror });
const amphora = settings.services.octavia && settings.amphora.source === "build"
    ? new AmphoraBuild("amphora", { settings, deployHost, docker })
    : undefined;

// 8: the cloud's first resources, through a provider built from post-deploy's outputs.
const cloud = new Cloud("cloud", { settings, access: kolla.access, amphora });

export const authUrl = cloud.authUrl;
export const horizonUrl = cloud.horizonUrl;
export const region = cloud.region;
export const externalNetworkId = cloud.externalNetworkId;
export const externalSubnetId = cloud.externalSubnetId;
export const tenantNetworkId = cloud.tenantNetworkId;
export const tenantSubnetId = cloud.tenantSubnetId;
export const routerId = cloud.routerId;
export const cirrosImageId = cloud.cirrosImageId;
export const amphoraImageId = cloud.amphoraImageId;
export const flavorIds = cloud.flavorIds;
export const keypairName = cloud.keypairName;
export const smokeTestAddress = cloud.smokeTestAddress;
export const registryAddress = registry.address;
export const mirroredImageCount = mirror.count;
export const adminOpenrcPath = kolla.adminOpenrcPath;
export const adminPassword = pulumi.secret(kolla.access.adminPassword);
