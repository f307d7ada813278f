// The Octavia amphora image, built with octavia's diskimage-create on the deploy host.
import { Settings } from "../config/settings";
import { kollaPaths, LOG_DIR, STATE_DIR } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

export const OCTAVIA_REPO = "https://opendev.org/openstack/octavia";
export const IMAGE_SERVER_PORT = 8090;
/** The image server stops after this long: it is needed only while Glance's upload reads the image. */
export const IMAGE_SERVER_LIFETIME_SECONDS = 3 * 3600;

/** diskimage-create's host tools on Ubuntu: the packages it checks for (diskimage-create.sh, the same at 2023.1-eom and
 *  18.0.0: qemu-utils, git, kpartx, debootstrap) plus diskimage-builder's bindep.txt and the venv it runs from. */
export const AMPHORA_HOST_PACKAGES = [
    "debootstrap",
    "qemu-utils",
    "git",
    "kpartx",
    "gdisk",
    "dosfstools",
    "binutils",
    "bzip2",
    "util-linux",
    "sudo",
    "curl",
    "uuid-runtime",
    "zstd",
    "procps",
    "inetutils-ping",
    "apt-transport-https",
    "lsb-release",
    "python3-venv",
] as const;

export function amphoraImageFile(settings: Settings): string {
    return `amphora-x64-haproxy-${settings.pins.amphora.octaviaRef}.qcow2`;
}

export function amphoraBuildScript(settings: Settings): Script {
    return renderScript(
        "amphora-build.sh",
        {
            OCTAVIA_REPO,
            OCTAVIA_REF: settings.pins.amphora.octaviaRef,
            AMPHORA_AGENT_COMMIT: settings.pins.amphora.amphoraAgentCommit,
            OCTAVIA_LIB_COMMIT: settings.pins.amphora.octaviaLibCommit,
            HOST_PACKAGES: AMPHORA_HOST_PACKAGES,
            UPPER_CONSTRAINTS: settings.pins.upperConstraints,
            UBUNTU_RELEASE: settings.pins.amphora.ubuntuRelease,
            IMAGE_FILE: amphoraImageFile(settings),
            IMAGES_DIR: kollaPaths(settings.release).imagesDir,
            LOG_DIR,
            CACHE_DIR: `${STATE_DIR}/cache`,
            // One per release, like the kolla-ansible venv: a release's hosts may run another Ubuntu (another Python).
            DIB_VENV: `${STATE_DIR}/dib-venv-${settings.release}`,
        },
        scriptBody("amphora-build.sh"),
    );
}

/** The unit names of the image server start with this (one unit per address, per build). */
export const IMAGE_SERVER_UNIT_PREFIX = "openstack-aio-images";

/** Every address the image server listens on: the management address (Glance's side) and the one Pulumi reaches. */
export function imageServerAddresses(settings: Settings): string[] {
    return [...new Set([settings.deployHost.managementAddress, settings.deployHost.address])];
}

/**
 * Serves the built image for a few hours (image-server.sh). `served` is where the build put it under IMAGES_DIR
 * (by-sha256/<sha256>/<file>), `sha256` names the window: a new build is a new unit, the old one stopped.
 */
export function imageServerScript(settings: Settings, served: string, sha256: string): Script {
    return renderScript(
        "image-server.sh",
        {
            IMAGES_DIR: kollaPaths(settings.release).imagesDir,
            SERVED: served,
            PORT: IMAGE_SERVER_PORT,
            ADDRESSES: imageServerAddresses(settings),
            LIFETIME: IMAGE_SERVER_LIFETIME_SECONDS,
            UNIT_PREFIX: IMAGE_SERVER_UNIT_PREFIX,
            UNIT: `${IMAGE_SERVER_UNIT_PREFIX}-${sha256.slice(0, 12)}`,
        },
        scriptBody("image-server.sh"),
    );
}

/** Whether this stack builds the amphora itself (Octavia on, amphoraSource build). */
export const buildsAmphora = (settings: Settings): boolean =>
    settings.services.octavia && settings.amphora.source === "build";
