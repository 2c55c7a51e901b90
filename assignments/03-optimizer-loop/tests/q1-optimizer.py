OK_FORMAT = True

test = {   'name': 'q1-optimizer',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert typeerror_answer in ('a', 'b', 'c', 'd')\n"
                                               '>>> _a = torch.tensor([1.0, 2.0], requires_grad=True)\n'
                                               '>>> _opt = make_optimizer(_a, 0.1)\n'
                                               ">>> assert isinstance(_opt, torch.optim.SGD) and _opt.param_groups[0]['lr'] == 0.1\n",
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
