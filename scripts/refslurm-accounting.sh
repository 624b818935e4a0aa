#!/bin/bash
# Adds accounting to a copy of the reference Slurm (../shared/reference/slurm-22.05/setup):
# a private MariaDB on a unix socket (no TCP), slurmdbd on 127.0.0.1:6819, the cluster's
# slurm.conf switched to accounting_storage/slurmdbd with jobacct_gather/linux.
# Used only to capture real Slurm's sacct/sacctmgr output for tests/reference/.
# Usage: [DBD_EXTRA='Key=Value'] scripts/refslurm-accounting.sh REFDIR   (REFDIR = the setup copy, e.g. /tmp/refslurm;
#        run it after setup.sh and before start.sh; stop with REFDIR/stop.sh then this script --stop)
set -euo pipefail
REF=${1:?refslurm dir}; STOP=${2:-}
DB=/var/lib/slurm-ref/mysql RUN=/run/slurm-ref LOG=/var/log/slurm-ref SOCK=/run/mysqld/mysqld.sock  # the client library's default; slurmdbd 22.05 cannot name another
if [ "$STOP" = --stop ]; then
  [ -s $RUN/slurmdbd.pid ] && kill "$(cat $RUN/slurmdbd.pid)" 2>/dev/null || true
  [ -s /run/mysqld/ref.pid ] && kill "$(cat /run/mysqld/ref.pid)" 2>/dev/null || true
  exit 0
fi
install -d -o slurm -g slurm -m 0755 "$RUN"
if [ ! -d $DB/mysql ]; then
  install -d -o mysql -g mysql -m 0700 $DB
  mysql_install_db --user=mysql --datadir=$DB --auth-root-authentication-method=socket >/dev/null
fi
if ! { [ -s /run/mysqld/ref.pid ] && kill -0 "$(cat /run/mysqld/ref.pid)" 2>/dev/null; }; then
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  setsid runuser -u mysql -- /usr/sbin/mariadbd --no-defaults --datadir=$DB --socket=$SOCK \
    --skip-networking --pid-file=/run/mysqld/ref.pid --log-error=$DB/mysqld.err </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 100); do [ -S $SOCK ] && break; sleep 0.1; done
fi
mysql -S $SOCK -u root -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'refpw';
  GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
cat > "$REF/etc/slurmdbd.conf" <<CONF
AuthType=auth/munge
AuthInfo=socket=/run/munge-ref/munge.socket.2
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=6819
SlurmUser=slurm
LogFile=$LOG/slurmdbd.log
PidFile=$RUN/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=refpw
${DBD_EXTRA:-}
CONF
chown slurm "$REF/etc/slurmdbd.conf"; chmod 600 "$REF/etc/slurmdbd.conf"
grep -q "^AccountingStorageType=accounting_storage/slurmdbd" "$REF/etc/slurm.conf" ||
sed -i -e 's|^AccountingStorageType=.*|AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=127.0.0.1\nAccountingStoragePort=6819\nAccountingStoragePass=/run/munge-ref/munge.socket.2|' \
       -e 's|^JobAcctGatherType=.*|JobAcctGatherType=jobacct_gather/linux\nJobAcctGatherFrequency=1|' "$REF/etc/slurm.conf"
if ! { [ -s $RUN/slurmdbd.pid ] && kill -0 "$(cat $RUN/slurmdbd.pid)" 2>/dev/null; }; then
  SLURM_CONF=$REF/etc/slurm.conf /usr/sbin/slurmdbd
  for _ in $(seq 1 100); do SLURM_CONF=$REF/etc/slurm.conf sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.2; done
fi
SLURM_CONF=$REF/etc/slurm.conf sacctmgr -i add cluster refcluster >/dev/null 2>&1 || true
echo "accounting up"
