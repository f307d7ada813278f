// The Octavia amphora image, built with octavia's diskimage-create on the deploy host.
import { Settings } from "../config/settings";
import { kollaPaths, LOG_DIR, STATE_DIR } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

export const OCTAVIA_REPO = "https://opendev.org/openstack/octavia";
export const IMAGE_SERVER_PORT = 8090;
/** The image server stops after this long: it is needed only while Glance's upload reads the image. */
export const IMAGE_SERVER_LIFETIME_SECONDS = 3 * 3600;

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

/** Whether this stack builds the amphora itself (Octavia on, amphoraSource build). */
export const buildsAmphora = (settings: Settings): boolean => settings.services.octavia && settings.amphora.source === "build";
