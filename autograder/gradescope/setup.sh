#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (base image
# Ubuntu 22.04).  It installs only what grading needs: bubblewrap, Python 3.11 (the pinned
# numpy and matplotlib need it), the CPU build of torch and the pinned packages in
# requirements.txt.  No LaTeX, pandoc or browser: nothing here makes PDFs.
set -euo pipefail
cd "$(dirname "$0")"
VENV=/opt/gd-autograder/venv
export DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

apt-get update -qq
apt-get install -y -qq --no-install-recommends bubblewrap ca-certificates util-linux
# Ubuntu 22.04 ships Python 3.11 in its universe component; the deadsnakes PPA is the fallback.
if ! apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv; then
    apt-get install -y -qq --no-install-recommends software-properties-common gpg-agent
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
fi
python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The default torch wheel on Linux is a CUDA build of several GB: take the CPU build.
"$VENV/bin/python" -m pip install --quiet "$(grep -E '^torch==' requirements.txt)" \
    --index-url https://download.pytorch.org/whl/cpu
grep -vE '^torch==' requirements.txt > /tmp/gd-requirements.txt
"$VENV/bin/python" -m pip install --quiet -r /tmp/gd-requirements.txt
chmod -R a+rX "$VENV"

# The harness runs from harness/ (see run_autograder); check that it imports and that torch is the CPU build.
PYTHONPATH=harness "$VENV/bin/python" -c "import torch, autograder.gradescope.entry; assert torch.version.cuda is None, torch.version.cuda; print('torch', torch.__version__)"
