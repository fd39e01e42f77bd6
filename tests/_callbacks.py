"Callbacks shared by the helper processes of the resume and DDP tests."

import os
from klas_lfa_glidr.core.learner import Callback


class Die(Callback):
    "Simulate a hard kill (no cleanup, no final checkpoint) right after step K."

    order = 100

    def __init__(self, k):
        self.k = k

    def after_step(self):
        if self.learn.step == self.k:
            os._exit(3)
