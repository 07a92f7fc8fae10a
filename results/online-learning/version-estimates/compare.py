# Reads the demos' version_estimates (each version's estimate beside the reward its answers then
# logged) and prints one row per run: python3 compare.py run*-demo.json
import json, math, statistics as st, sys

def number(x):
    return float("nan") if x is None or x == "NaN" else x

def corr(a, b):
    ma, mb = st.mean(a), st.mean(b)
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))

print("run | versions compared | estimate's mean abs error | window mean's abs error | interval holds (of those with one) | median effective answers | corr(estimate, served after) | sd of served after")
for f in sys.argv[1:]:
    v = json.load(open(f))["summary"]["version_estimates"]["versions"]
    after = [x["served_after"] for x in v]
    print("%s | %d | %.4f | %.4f | %.2f | %.1f | %.2f | %.4f" % (
        f, len(v), st.mean(abs(x["estimated"] - x["served_after"]) for x in v),
        st.mean(abs(x["window_served"] - x["served_after"]) for x in v),
        sum(number(x["low"]) <= x["served_after"] <= number(x["high"]) for x in v) / max(1, sum(not math.isnan(number(x["low"])) for x in v)),
        st.median(x["effective_answers"] for x in v), corr([x["estimated"] for x in v], after), st.pstdev(after)))
