OK_FORMAT = True

test = {   'name': 'q5-mse-loss',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert torch.isclose(mse_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 5.0])), torch.tensor(4.0 / 3)), 'the mean of [0, 0, 4] is "
                                               "4/3'\n",
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
