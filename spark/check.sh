#!/usr/bin/env bash
# Tier 2: the Spark driver (spark/parallax_spark.py) on Spark's local-cluster mode and on a
# standalone master with two workers, each time checked against the single-machine CLI, with one
# executor killed in the middle of a job; then over Spark Connect. Installs the pinned pyspark (spark/requirements.txt)
# into target/spark-venv; needs Java 17 and python3. Ends with `N passed, M failed`; exits 1 if
# anything failed. Spark's own logs go to target/spark-check/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/spark-check
venv=$root/target/spark-venv
news=../shared/data/20news/20news-bydate.jsonl

if [ ! -f "$news" ]; then
  echo "spark/check.sh: skipping, $news is absent"
  exit 0
fi

echo "== Python with the pinned pyspark (target/spark-venv)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r spark/requirements.txt

echo "== cargo build --release"
cargo build --release --quiet
binary=$root/target/release/parallax

# pip's pyspark is a complete Spark: its package directory is SPARK_HOME (local-cluster mode and
# spark-class need it); executors run the venv's Python.
SPARK_HOME=$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
export SPARK_HOME
export PYSPARK_PYTHON=$venv/bin/python
export SPARK_LOCAL_IP=127.0.0.1
rm -rf "$work"
mkdir -p "$work"

passed=0 failed=0
run_check() { # LABEL MASTER [--no-kill]
  local label=$1 master=$2 kill=--kill out
  [ "${3:-}" = --no-kill ] && kill=
  echo "== $label ($master)"
  set +e
  "$venv/bin/python" spark/check.py --master "$master" --binary "$binary" \
    --work "$work/$label" --news "$news" $kill 2>"$work/$label.log" | tee "$work/$label.out"
  set -e
  out=$(tail -1 "$work/$label.out")
  if [[ $out =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    echo "FAIL $label: the check did not finish; the end of $work/$label.log:"
    tail -20 "$work/$label.log"
    failed=$((failed + 1))
  fi
}

run_check local-cluster "local-cluster[2,1,1024]"

# A standalone cluster: one master, two workers of one core each, stopped by the pids recorded
# here, whatever happens.
pids=()
stop_cluster() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_cluster EXIT
trap 'stop_cluster; exit 130' INT TERM
free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
master=spark://127.0.0.1:$port
export SPARK_WORKER_DIR=$work/worker
touch "$work/master.log"
"$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port "$(free_port)" >"$work/master.log" 2>&1 &
pids+=($!)
for i in 1 2; do
  "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 1g --webui-port "$(free_port)" "$master" \
    >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
done
# Both workers registered with the master (at most a minute).
for _ in $(seq 120); do
  [ "$(grep -c "Registering worker" "$work/master.log")" -ge 2 ] && break
  sleep 0.5
done
if [ "$(grep -c "Registering worker" "$work/master.log")" -ge 2 ]; then
  run_check standalone "$master"
else
  echo "FAIL standalone: the workers did not register; see $work/master.log"
  failed=$((failed + 1))
fi
stop_cluster

# Spark Connect: a Connect server (on local[2]) started with spark-submit, the driver as a
# client; files reach the executors as artifacts.
port=$(free_port)
"$SPARK_HOME/bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
  --master "local[2]" --conf spark.connect.grpc.binding.port="$port" \
  --conf spark.driver.memory=768m --conf spark.ui.enabled=false spark-internal \
  >"$work/connect-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
  grep -q "Spark Connect server started" "$work/connect-server.log" && break
  sleep 0.5
done
if grep -q "Spark Connect server started" "$work/connect-server.log"; then
  run_check connect "sc://127.0.0.1:$port" --no-kill
else
  echo "FAIL connect: the server did not start; see $work/connect-server.log"
  failed=$((failed + 1))
fi
stop_cluster

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
