"""How much of a trained GLIDR model's MRR its extracted rules keep, as the rule beam widens.

Loads the weights of one GLIDR stage of a `klg-glidr --preset cpu` run (the stage's `.pt`), extracts
rules at beam 1 (argmax per pair), 4, 16, 64 and 256, executes them exactly (`RuleExecutor`, with
the cpu preset's fallback) and scores them with noisy-or confidences and with grounding counts:
filtered test MRR of the rules over the model's.

Run: KLG_DATA=../shared/data python bench/glidr_beam.py RUN/stages/neurallp-kinship_glidr_s0.pt
     [--dataset neurallp-kinship] [--beams 1 4 16 64 256]"""

import argparse
import time

import torch
from _common import report
from klas_lfa_glidr.glidr.data import load_kg
from klas_lfa_glidr.glidr.model import GLIDR, GLIDRConfig
from klas_lfa_glidr.glidr.ranking import evaluate
from klas_lfa_glidr.glidr.rules import RuleExecutor, extract_rules
from klas_lfa_glidr.glidr.training import graphs_for


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('weights', help="a GLIDR stage's .pt from a cpu-preset run")
    p.add_argument('--dataset', default='neurallp-kinship')
    p.add_argument('--beams', type=int, nargs='+', default=[1, 4, 16, 64, 256])
    a = p.parse_args()
    torch.set_num_threads(1)
    kg = load_kg(a.dataset)
    cfg = GLIDRConfig.cpu(device='cpu')
    m = GLIDR(cfg, kg.n_ent, kg.n_rel)
    m.graph, m.eval_graph = graphs_for(kg, cfg)
    m.load_state_dict(torch.load(a.weights, map_location='cpu'))
    m.eval()
    model = evaluate(m, kg)['mean']['mrr']
    print('model MRR', round(model, 4), flush=True)
    rows = []
    for beam in a.beams:
        t = time.process_time()
        rules = extract_rules(m, cfg, beam=beam)
        row = dict(beam=beam, rules=len(rules))
        for agg in ('noisy_or', 'count'):
            ex = RuleExecutor(rules, kg.background(), kg.n_ent, kg.n_rel, agg, cfg.max_groundings,
                              cfg.rule_fallback)
            mrr = evaluate(ex, kg)['mean']['mrr']
            row |= {f'{agg}_mrr': mrr, f'{agg}_share': mrr / model}
        row['cpu_s'] = time.process_time() - t
        print(row, flush=True)
        rows.append(row)
    report(f'glidr_beam-{a.dataset}', dict(weights=a.weights, model_mrr=model, beams=rows))


if __name__ == '__main__':
    main()
