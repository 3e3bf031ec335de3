"""Python's own answers for the differential test: reads {"patterns": [...], "names": [...]} as
JSON on stdin, writes one entry per pattern: {"error": str(e)} when re.compile refuses it, else
{"matches": [bool per name]} from re.match. Run by python-regex-differential.test.ts."""
import json
import re
import sys
import warnings

warnings.simplefilter("ignore")
corpus = json.load(sys.stdin)
out = []
for pattern in corpus["patterns"]:
    try:
        compiled = re.compile(pattern)
    except (re.error, OverflowError, ValueError) as e:
        out.append({"error": str(e)})
        continue
    out.append({"matches": [compiled.match(name) is not None for name in corpus["names"]]})
json.dump({"version": sys.version.split()[0], "results": out}, sys.stdout)
