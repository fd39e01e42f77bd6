"JupyterLab starts on 127.0.0.1 with a random free port, answers /api/status, and stops."

import json, socket, subprocess, sys, time, urllib.request
from pathlib import Path


def _port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_jupyter_lab_smoke(tmp_path):
    import ipywidgets  # widgets must import in the same environment

    port, root = _port(), Path(__file__).resolve().parents[1]
    p = subprocess.Popen(
        [
            sys.executable,
            '-m',
            'jupyter',
            'lab',
            '--no-browser',
            '--ip=127.0.0.1',
            f'--port={port}',
            '--ServerApp.token=',
            '--ServerApp.password=',
            '--ServerApp.allow_root=True',
            '--ServerApp.port_retries=0',
            f'--ServerApp.root_dir={root / "nbs"}',
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={
            **__import__('os').environ,
            'JUPYTER_RUNTIME_DIR': str(tmp_path),
            'JUPYTER_CONFIG_DIR': str(tmp_path / 'cfg'),
        },
    )
    try:
        st = None
        for _ in range(120):
            try:
                st = json.loads(
                    urllib.request.urlopen(f'http://127.0.0.1:{port}/api/status', timeout=2).read()
                )
                break
            except OSError:
                time.sleep(0.5)
        assert st is not None and 'started' in st, 'jupyter lab did not answer /api/status'
        lab = urllib.request.urlopen(f'http://127.0.0.1:{port}/lab', timeout=10)
        assert lab.status == 200
        ext = json.loads(
            urllib.request.urlopen(
                f'http://127.0.0.1:{port}/lab/api/settings/'
                '@jupyter-widgets/jupyterlab-manager:plugin',
                timeout=10,
            ).read()
        )
        assert (
            ext['id'] == '@jupyter-widgets/jupyterlab-manager:plugin'
        )  # the ipywidgets extension is installed
    finally:
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
