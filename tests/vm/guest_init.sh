#!/bin/busybox sh
# /init of the test VM: mounts what the gate needs, runs /checks.sh, powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
echo; echo "PQBPF-VM: boot PASS lsm=$(cat /sys/kernel/security/lsm) kernel=$(uname -r)"
sh /checks.sh
echo "PQBPF-VM: end"
poweroff -f
