#!/usr/bin/env python3
"""Times the lesson's text preparation for Word2Vec in rnnlab against the same steps in Python.

The steps (the lesson's): split the text into sentences on . ! ? … and line breaks, lowercase each, delete every
character that is not a letter or whitespace, split on whitespace, drop empty sentences, cut sentences into pieces
of at most 12 words. Python does it with `re.split` / `re.sub` / `str.split` (the lesson's code, made Unicode-aware:
`[^\\w\\s]|[\\d_]` deletes what is not a letter); rnnlab streams the file through `textprep::SentenceReader`
(`crates/textprep/examples/sentences.rs`). Both write one sentence per line; the script checks the outputs are
identical, then prints the median wall and CPU times (CPU time is the fairer figure on a busy machine),
the ratios and rnnlab's peak memory.

Usage, from the repository root (any Python 3.9+; no packages needed, so /work/venv or a fresh `python3 -m venv`
both do):
    python3 bench/clean.py [FILE] [--repeat N]
FILE defaults to ../shared/data/crime_and_punishment.txt; --repeat N concatenates N copies into a temporary file
(to show that rnnlab's memory does not grow with the input).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

SPLIT = re.compile(r"[.!?…\n\r\x0b\x0c\x85\u2028\u2029]")
NOT_A_LETTER = re.compile(r"[^\w\s]|[\d_]")
CAP = 12
TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def lesson_sentences(text):
    out = []
    for raw in SPLIT.split(text):
        words = NOT_A_LETTER.sub("", raw.lower()).split()
        for i in range(0, len(words), CAP):
            out.append(words[i : i + CAP])
    return out


def python_run(path, out_path):
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    sentences = lesson_sentences(text)
    with open(out_path, "w", encoding="utf-8") as f:
        for words in sentences:
            f.write(" ".join(words))
            f.write("\n")
    return len(sentences)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=os.path.join(root, "..", "shared", "data", "crime_and_punishment.txt"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "rnnlab-textprep", "--example", "sentences"],
        cwd=root,
        check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    binary = os.path.join(target, "release", "examples", "sentences")

    tmp = tempfile.mkdtemp(prefix="rnnlab-clean-")
    path = args.file
    if args.repeat > 1:
        path = os.path.join(tmp, "input.txt")
        with open(args.file, "rb") as src, open(path, "wb") as dst:
            data = src.read()
            dst.write(data)
            body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
            if not body.endswith(b"\n"):
                body += b"\n"
            for _ in range(args.repeat - 1):
                dst.write(body)
    size_mb = os.path.getsize(path) / 1e6
    py_out, rs_out = os.path.join(tmp, "python.txt"), os.path.join(tmp, "rnnlab.txt")
    rss_file = os.path.join(tmp, "rss.txt")

    py_wall, py_cpu, rs_wall, rs_cpu, rs_rss = [], [], [], [], []
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        n_python = python_run(path, py_out)
        py_wall.append(time.perf_counter() - start)
        py_cpu.append(time.process_time() - cpu)
        start = time.perf_counter()
        with open(rs_out, "wb") as out:
            # /usr/bin/time measures the peak RSS from a small parent (a child spawned by this Python process
            # would start out counting Python's own pages).
            command = [binary, path, str(CAP)]
            if TIME:
                command = [TIME, "-f", "%M", "-o", rss_file] + command
            child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
        rs_wall.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{binary} failed")
        rs_cpu.append(usage.ru_utime + usage.ru_stime)
        if TIME:
            with open(rss_file) as f:
                rs_rss.append(int(f.read().split()[-1]) / 1024)

    with open(py_out, "rb") as a, open(rs_out, "rb") as b:
        same = a.read() == b.read()
    med = statistics.median
    print(f"input: {path} ({size_mb:.1f} MB), {n_python} sentences of at most {CAP} words; {args.runs} runs each")
    print(f"outputs identical: {same}")
    print(f"python {sys.version.split()[0]} re (in-process, read+clean+split+write): "
          f"wall {med(py_wall):.3f} s, cpu {med(py_cpu):.3f} s = {size_mb / med(py_cpu):.1f} MB/s of cpu")
    print(f"rnnlab SentenceReader (whole process, streaming): "
          f"wall {med(rs_wall):.3f} s, cpu {med(rs_cpu):.3f} s = {size_mb / med(rs_cpu):.1f} MB/s of cpu, "
          f"peak RSS {max(rs_rss):.1f} MB" if rs_rss else "")
    print(f"ratio python/rnnlab: wall {med(py_wall) / med(rs_wall):.1f}x, cpu {med(py_cpu) / med(rs_cpu):.1f}x")
    if not same:
        sys.exit("the outputs differ")


if __name__ == "__main__":
    main()
