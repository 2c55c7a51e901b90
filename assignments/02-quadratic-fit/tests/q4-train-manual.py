OK_FORMAT = True

test = {   'name': 'q4-train-manual',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> _p = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)\n'
                                               '>>> _losses = train_manual(_p, torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 2.0, 5.0]), 0.01, 5)\n'
                                               '>>> assert len(_losses) == 5 and _losses[-1] < _losses[0]\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
