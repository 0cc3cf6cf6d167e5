"""The engine under D2L's classes: Module, Trainer, steps, reports, checkpoints, devices, caps."""
