OK_FORMAT = True

test = {   'name': 'q4-pick-lr',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert pick_lr(lambda t: (t[0] - 3) ** 2 + (t[1] + 2) ** 2 + 8, torch.tensor([10.0, 10.0]), [10.0, 0.1, 0.25], 20) == 0.25, 'lr = 0.25 ends "
                                               "lowest; lr = 10 diverges'\n",
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
