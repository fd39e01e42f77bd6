"Helper process for the resume and DDP tests: train the toy job and save final weights and metrics."

import json, sys
from pathlib import Path
import torch
from klas_lfa_glidr.core.checks import ToyConfig, toy_learner
from _callbacks import Die
from klas_lfa_glidr.core.learner import Callback, is_main

out, mode = (
    Path(sys.argv[1]),
    sys.argv[2],
)  # mode: full | kill:K | resume | nan:K (NaN loss on the last rank at step K)
sets = dict(a.split('=', 1) for a in sys.argv[3:])
cfg = ToyConfig.small(epochs=3, ckpt_every=4, sched='cos', device='cpu').override(
    [f'{k}={v}' for k, v in sets.items()]
)


class NaNOnLastRank(Callback):
    "Make the loss NaN on the last rank only, at step K."

    def __init__(self, k):
        self.k = k

    def get_loss(self):
        if self.learn.step == self.k and self.learn.rank == self.learn.world - 1:
            self.learn.loss = self.learn.loss * float('nan')


cbs = (
    [Die(int(mode.split(':')[1]))]
    if mode.startswith('kill:')
    else [NaNOnLastRank(int(mode.split(':')[1]))]
    if mode.startswith('nan:')
    else []
)
learn = toy_learner(cfg, out, cbs=cbs)
learn.fit(n_epochs=cfg.epochs, resume=(mode == 'resume'))
if is_main():
    torch.save(learn.raw_model.state_dict(), out / 'final.pt')
    (out / 'final.json').write_text(
        json.dumps(dict(valid=learn.valid_metrics, step=learn.step, world=learn.world))
    )
if (
    torch.distributed.is_initialized()
):  # tear gloo down before exit: without it a rank can abort at shutdown
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()
