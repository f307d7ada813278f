// openstack-aio: bare Ubuntu hosts → OpenStack (kolla-ansible, the release config/releases describes) → first
// networks and images.
// Load the stack's configuration (every problem reported before anything is registered), build the stages in
// order (deployment.ts), export what other stacks consume (README "Stack outputs").
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { deployOpenstack } from "./deployment";

const { settings, secrets } = loadConfig();
const { deployHost, targets, registry, mirror, kolla, cloud } = deployOpenstack(settings, secrets);

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
/** Image name → the manifest digest mirrored (kolla's tags on quay are rebuilt: this is what the cloud runs). */
export const mirroredImageDigests = mirror.digests;
/** The OpenStack release this stack deploys. */
export const release = settings.release;
export const adminOpenrcPath = kolla.adminOpenrcPath;
/** The SSH host keys every connection checks (configured, or recorded on first contact): public, for review. */
export const deployHostKey = pulumi.unsecret(deployHost.hostKey);
export const targetHostKeys = targets.hostKeysByName;
export const adminPassword = pulumi.secret(kolla.access.adminPassword);
/** /etc/kolla/passwords.yml, encrypted in the stack: restore it to a deploy host that lost it (README "Passwords"). */
export const kollaPasswords = pulumi.secret(deployHost.kollaPasswords);
