"""D2L's older function-style API: train_ch6, Animator, chapter 3-4 regression, tensor aliases."""
