"""Object-store credentials come from the Airflow connection named by ``WIREDESK_S3_CONN_ID``.

Run in a child process with its own ``AIRFLOW_HOME``: importing Airflow here
would write a config file into the user's home.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = """
import json
from wiredesk.airflow_support import storage_options_from_connection
print(json.dumps([storage_options_from_connection(), storage_options_from_connection("no_such_conn")]))
"""


def test_connection_maps_to_store_options_and_a_missing_one_to_the_default_chain(tmp_path):
    connection = {"conn_type": "aws", "login": "AKIDEXAMPLE", "password": "secret-example",
                  "extra": {"endpoint_url": "http://127.0.0.1:8333", "region_name": "eu-west-1", "sse": "AES256"}}
    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path), WIREDESK_S3_CONN_ID="news_store",
               AIRFLOW_CONN_NEWS_STORE=json.dumps(connection))
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    configured, missing = json.loads(out.stdout.strip().splitlines()[-1])
    assert configured == {
        "credentials": {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret-example"},
        "endpoint_url": "http://127.0.0.1:8333",
        "region": "eu-west-1",
        "sse": "AES256",
    }
    assert missing == {}
